package dev.dti.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.dti.DtiApplication;
import dev.dti.job.ServiceRoles;
import dev.dti.job.WorkerPool;
import dev.dti.support.TestDatabase;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.Ordered;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * The Helm chart in {@code helm/dti-service}, rendered in process by Helm's own library (no helm
 * binary, no cluster) with its default values and with {@code examples/gpu-keda.yaml}, then read
 * back into the Kubernetes object model. What the cluster will ask of the application (probe and
 * scrape paths, environment variables, the KEDA query) is asked of the real application and the
 * real schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelmChartTest {

  private static final Path CHART = Path.of("helm/dti-service").toAbsolutePath();
  private static final Path GPU_KEDA = CHART.resolve("examples/gpu-keda.yaml");
  private static final String KUBE_VERSION = "1.31.0";
  private static final String DATABASE = "helm_chart_test";
  private static final String GPU = "nvidia.com/gpu";

  private Rendering defaults;
  private Rendering gpuKeda;

  /** The defaults with KEDA on and the database pointing at the test PostgreSQL. */
  private Rendering local;

  private final Map<String, ConfigurableApplicationContext> pods = new LinkedHashMap<>();

  @BeforeAll
  void renderAndStartOnePodOfEachRole() throws Exception {
    defaults = Rendering.of(template(null, Map.of()));
    gpuKeda = Rendering.of(template(GPU_KEDA, Map.of()));
    local = Rendering.of(template(null, testDatabaseValues()));
    // API and worker pods start at the same time on an empty database: both run Flyway.
    try (ExecutorService starting = Executors.newFixedThreadPool(2)) {
      var api = starting.submit(() -> startPod(local.deployment("api")));
      var worker = starting.submit(() -> startPod(local.deployment("worker")));
      pods.put("api", api.get());
      pods.put("worker", worker.get());
    }
  }

  @AfterAll
  void stopPods() {
    pods.values().forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void theChartPassesStrictLint() {
    LintResult lint = new Helm(CHART).lint().strict().call();

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).allMatch(message -> message.startsWith("[INFO]"));
  }

  @Test
  void everyRenderedFieldIsOneKubernetesKnows() {
    for (Rendering rendering : List.of(defaults, gpuKeda)) {
      for (HasMetadata resource : rendering.resources()) {
        if (resource instanceof GenericKubernetesResource) {
          continue;
        }
        assertThat(unknownFields(resource, resource.getKind()))
            .as("fields of %s that its schema does not have", resource.getKind())
            .isEmpty();
      }
    }
    // The walk finds a misspelt field as deep as a probe.
    Rendering misspelt =
        Rendering.of(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
                - name: c
                  readinessProbe: {httpGet: {paht: /actuator/health/readiness, port: http}}
            """);
    assertThat(unknownFields(misspelt.resources().getFirst(), "Pod"))
        .containsExactly("Pod.Spec.Containers[0].ReadinessProbe.HttpGet.paht");
    // Only custom resources stay generic: a misspelt apiVersion or kind of a built-in would too.
    assertThat(kinds(defaults.generic())).isEmpty();
    assertThat(kinds(gpuKeda.generic()))
        .containsExactlyInAnyOrder("ScaledObject", "TriggerAuthentication", "ServiceMonitor");
  }

  @Test
  void theDefaultsRenderApiAndWorkerWithoutGpuKedaIngressOrHpa() {
    assertThat(kinds(defaults.resources()))
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Secret",
            "Service",
            "Service",
            "Deployment",
            "Deployment",
            "PodDisruptionBudget");
    assertThat(defaults.deployment("api").getSpec().getReplicas()).isEqualTo(2);
    assertThat(defaults.deployment("worker").getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void gpuLimitsAreOnlyOnWorkerContainersAndOnlyWithGpuEnabled() {
    for (Rendering rendering : List.of(defaults, gpuKeda)) {
      for (Container container :
          rendering.deployment("api").getSpec().getTemplate().getSpec().getContainers()) {
        assertThat(gpuCount(container)).isNull();
      }
    }
    Container cpuWorker = container(defaults.deployment("worker"));
    assertThat(gpuCount(cpuWorker)).isNull();
    assertThat(env(cpuWorker, "DTI_WORKER_DEVICES")).isEqualTo("cpu");
    assertThat(pod(defaults.deployment("worker")).getRuntimeClassName()).isNull();

    PodSpec gpuPod = pod(gpuKeda.deployment("worker"));
    Container gpuWorker = container(gpuKeda.deployment("worker"));
    assertThat(gpuCount(gpuWorker)).isEqualTo(new Quantity("1"));
    assertThat(gpuWorker.getResources().getRequests()).doesNotContainKey(GPU);
    assertThat(env(gpuWorker, "DTI_WORKER_DEVICES")).isEqualTo("gpu:0");
    assertThat(gpuWorker.getImage()).isEqualTo("registry.example.com/dti-service:0.1.0-cuda");
    assertThat(gpuPod.getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(gpuPod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(gpuPod.getTolerations())
        .anySatisfy(
            toleration -> {
              assertThat(toleration.getKey()).isEqualTo(GPU);
              assertThat(toleration.getEffect()).isEqualTo("NoSchedule");
            });
  }

  @Test
  void kedaAndTheHpaOwnTheReplicaCountsTheyScale() {
    Deployment worker = gpuKeda.deployment("worker");
    Deployment api = gpuKeda.deployment("api");
    assertThat(worker.getSpec().getReplicas()).isNull();
    assertThat(api.getSpec().getReplicas()).isNull();

    GenericKubernetesResource scaledObject = gpuKeda.generic("ScaledObject");
    assertThat(scaledObject.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    assertThat((String) scaledObject.get("spec", "scaleTargetRef", "name"))
        .isEqualTo(worker.getMetadata().getName());
    assertThat((Object) scaledObject.get("spec", "minReplicaCount")).isEqualTo(0);
    assertThat((String) scaledObject.get("spec", "triggers", 0, "type")).isEqualTo("postgresql");
    assertThat((String) scaledObject.get("spec", "triggers", 0, "metadata", "targetQueryValue"))
        .isEqualTo("1");

    HorizontalPodAutoscaler hpa = gpuKeda.only(HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(api.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    PodDisruptionBudget pdb = gpuKeda.only(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(api.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void withAnExistingSecretKedaAndEveryPodReadTheirCredentialsFromIt() {
    assertThat(gpuKeda.all(Secret.class)).isEmpty();
    GenericKubernetesResource auth = gpuKeda.generic("TriggerAuthentication");
    assertThat(
            (String)
                gpuKeda
                    .generic("ScaledObject")
                    .get("spec", "triggers", 0, "authenticationRef", "name"))
        .isEqualTo(auth.getMetadata().getName());
    assertThat((Map<String, Object>) auth.get("spec", "secretTargetRef", 0))
        .containsEntry("parameter", "connection")
        .containsEntry("name", "dti-credentials")
        .containsEntry("key", "keda-connection");
    for (String component : List.of("api", "worker")) {
      assertThat(container(gpuKeda.deployment(component)).getEnv())
          .filteredOn(variable -> variable.getValueFrom() != null)
          .extracting(variable -> variable.getValueFrom().getSecretKeyRef().getName())
          .containsOnly("dti-credentials");
    }
  }

  @Test
  void theIngressRoutesToTheApiServicePort() {
    Ingress ingress = gpuKeda.only(Ingress.class);
    Service api = gpuKeda.service("api");
    var backend = ingress.getSpec().getRules().getFirst().getHttp().getPaths().getFirst();
    assertThat(backend.getBackend().getService().getName()).isEqualTo(api.getMetadata().getName());
    assertThat(api.getSpec().getPorts())
        .extracting(port -> port.getName())
        .contains(backend.getBackend().getService().getPort().getName());
    assertThat(ingress.getSpec().getTls().getFirst().getSecretName()).isEqualTo("dti-example-tls");
  }

  @Test
  void everyPodRunsAsTheImageUserOnAReadOnlyRootWithEmptyDirsForTmpAndTheDataDir() {
    for (Rendering rendering : List.of(defaults, gpuKeda)) {
      for (String component : List.of("api", "worker")) {
        PodSpec pod = pod(rendering.deployment(component));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType())
            .isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container container = container(rendering.deployment(component));
        var security = container.getSecurityContext();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getRunAsUser()).isEqualTo(10001L);
        assertThat(emptyDirMountedAt(pod, container, "/tmp")).isTrue();
        assertThat(emptyDirMountedAt(pod, container, env(container, "DTI_DATA_DIR"))).isTrue();
      }
    }
  }

  @Test
  void aModelOnAPersistentVolumeClaimIsMountedReadOnlyAndNamedByDtiModelDir() {
    Rendering withModel =
        Rendering.of(
            template(
                null,
                Map.of("model.persistentVolumeClaim", "sd15-weights", "model.subPath", "sd15")));
    for (String component : List.of("api", "worker")) {
      PodSpec pod = pod(withModel.deployment(component));
      Container container = container(withModel.deployment(component));
      assertThat(env(container, "DTI_MODEL_DIR")).isEqualTo("/models/sd15");
      assertThat(pod.getVolumes())
          .filteredOn(volume -> volume.getPersistentVolumeClaim() != null)
          .singleElement()
          .satisfies(
              volume -> {
                assertThat(volume.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("sd15-weights");
                assertThat(volume.getPersistentVolumeClaim().getReadOnly()).isTrue();
              });
    }
    // Without a claim the image's own DTI_MODEL_DIR (its toy model) stays in force.
    assertThat(container(defaults.deployment("worker")).getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("DTI_MODEL_DIR");
  }

  @Test
  void theWorkerPodOutlivesTheShutdownGraceItGivesARunningJob() {
    for (Rendering rendering : List.of(defaults, gpuKeda)) {
      Deployment worker = rendering.deployment("worker");
      Duration shutdownGrace =
          Binder.get(
                  environmentOf(
                      Map.of(
                          "DTI_WORKER_SHUTDOWNGRACE",
                          env(container(worker), "DTI_WORKER_SHUTDOWNGRACE"))))
              .bind("dti.worker.shutdown-grace", Duration.class)
              .get();
      long podGrace = pod(worker).getTerminationGracePeriodSeconds();

      assertThat(Duration.ofSeconds(podGrace))
          .isGreaterThanOrEqualTo(shutdownGrace.plusSeconds(15));
    }
    assertThatThrownBy(() -> template(null, Map.of("worker.shutdownGraceSeconds", 110)))
        .hasMessageContaining(
            "worker.terminationGracePeriodSeconds (120) must be at least"
                + " worker.shutdownGraceSeconds (110) + 15");
  }

  /**
   * Each pod runs with its rendered environment: the API pod without workers, the worker pod with
   * them, both on the database the chart's JDBC URL names (readiness includes the database).
   */
  @Test
  void everyPathTheClusterCallsIsServedByAPodOfThatRole() throws Exception {
    assertThat(pods.get("api").getBeansOfType(WorkerPool.class)).isEmpty();
    assertThat(pods.get("worker").getBeansOfType(WorkerPool.class)).hasSize(1);
    String scrapePath =
        Rendering.of(template(null, Map.of("serviceMonitor.enabled", true)))
            .generic("ServiceMonitor")
            .get("spec", "endpoints", 0, "path");

    for (String component : List.of("api", "worker")) {
      List<String> paths = new ArrayList<>();
      for (Probe probe : probes(container(local.deployment(component)))) {
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        paths.add(probe.getHttpGet().getPath());
      }
      paths.add(scrapePath);
      assertThat(paths)
          .containsExactly(
              "/actuator/health/liveness",
              "/actuator/health/liveness",
              "/actuator/health/readiness",
              "/actuator/prometheus");

      for (String path : paths) {
        var response = get(port(component), path);
        assertThat(response.statusCode())
            .as("GET %s on the %s pod: %s", path, component, response.body())
            .isEqualTo(200);
      }
    }
    assertThat(get(port("worker"), "/actuator/prometheus").body()).contains("dti_worker_active");
  }

  @Test
  void theServiceMonitorScrapesTheNamedPortOfBothServices() {
    GenericKubernetesResource monitor = gpuKeda.generic("ServiceMonitor");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    String port = monitor.get("spec", "endpoints", 0, "port");
    for (String component : List.of("api", "worker")) {
      Service service = gpuKeda.service(component);
      assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
      assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).contains(port);
      assertThat(container(gpuKeda.deployment(component)).getPorts())
          .anySatisfy(
              p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(String.valueOf(p.getContainerPort()))
                    .isEqualTo(env(container(gpuKeda.deployment(component)), "SERVER_PORT"));
              });
    }
  }

  @Test
  void everyEnvironmentVariableIsOneTheApplicationOrItsJvmReads() throws Exception {
    for (Rendering rendering : List.of(defaults, gpuKeda)) {
      for (String component : List.of("api", "worker")) {
        for (EnvVar variable : container(rendering.deployment(component)).getEnv()) {
          String name = variable.getName();
          String value = variable.getValue() != null ? variable.getValue() : "from-secret";
          if (ApplicationSettings.readingVariable(name, value).isEmpty()) {
            assertThat(jvmPicksUp(name, value))
                .as("%s (%s pod) is read by neither the application nor the JVM", name, component)
                .isTrue();
          }
        }
      }
    }
    // The check tells a variable the application reads from one it would ignore.
    assertThat(ApplicationSettings.readingVariable("DTI_WORKER_SHUTDOWNGRACE", "90s"))
        .containsExactly("dti.worker.shutdown-grace");
    assertThat(ApplicationSettings.readingVariable("DTI_DATABASE_URL", "jdbc:postgresql://db/dti"))
        .containsExactly("spring.datasource.url");
    assertThat(ApplicationSettings.readingVariable("DTI_WORKER_GRACE", "90s")).isEmpty();
    assertThat(jvmPicksUp("DTI_WORKER_GRACE", "90s")).isFalse();
  }

  @Test
  void theKedaQueryCountsRunningAndDueQueuedJobsOfTheWorkersKindsOnTheRealSchema()
      throws Exception {
    String query = gpuKeda.generic("ScaledObject").get("spec", "triggers", 0, "metadata", "query");
    assertThat(query)
        .isEqualTo(local.generic("ScaledObject").get("spec", "triggers", 0, "metadata", "query"));

    try (Connection db = connectWithKedaConnection(local.secretValue("keda-connection"))) {
      UUID tenant = UUID.randomUUID();
      execute(
          db, "INSERT INTO tenants (id, name) VALUES ('%s', 'keda-%s')".formatted(tenant, tenant));
      insertJob(db, tenant, "training", "queued", "now() - interval '1 second'");
      insertJob(db, tenant, "training", "queued", "now() + interval '10 minutes'"); // backoff
      insertJob(db, tenant, "training", "running", "now() - interval '1 minute'");
      insertJob(db, tenant, "generation", "queued", "now()");
      insertJob(db, tenant, "generation", "running", "now() - interval '1 minute'");
      insertJob(db, tenant, "training", "succeeded", "now() - interval '1 hour'");
      insertJob(db, tenant, "training", "failed", "now() - interval '1 hour'");
      insertJob(db, tenant, "training", "canceled", "now() - interval '1 hour'");
      insertJob(db, tenant, "not-a-worker-kind", "queued", "now()");

      try (Statement statement = db.createStatement();
          ResultSet result = statement.executeQuery(query)) {
        assertThat(result.next()).isTrue();
        assertThat(result.getLong(1)).isEqualTo(4);
      }
    }
  }

  // --- rendering -------------------------------------------------------------------------------

  private static String template(Path valuesFile, Map<String, Object> values) {
    var template = new Helm(CHART).template().withName("dti").withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (var value : values.entrySet()) {
      template = template.set(value.getKey(), value.getValue());
    }
    return template.call();
  }

  /** Every object of one {@code helm template}. */
  record Rendering(List<HasMetadata> resources) {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    static Rendering of(String manifests) {
      Object parsed = YAML.unmarshal(manifests);
      List<HasMetadata> resources = new ArrayList<>();
      if (parsed instanceof List<?> list) {
        list.stream().filter(Objects::nonNull).forEach(r -> resources.add((HasMetadata) r));
      } else {
        resources.add((HasMetadata) parsed);
      }
      return new Rendering(resources);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T only(Class<T> type) {
      assertThat(all(type)).hasSize(1);
      return all(type).getFirst();
    }

    List<GenericKubernetesResource> generic() {
      return all(GenericKubernetesResource.class);
    }

    GenericKubernetesResource generic(String kind) {
      return generic().stream().filter(r -> r.getKind().equals(kind)).findFirst().orElseThrow();
    }

    Deployment deployment(String component) {
      return component(all(Deployment.class), component);
    }

    Service service(String component) {
      return component(all(Service.class), component);
    }

    String secretValue(String key) {
      Secret secret = only(Secret.class);
      if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
        return secret.getStringData().get(key);
      }
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static <T extends HasMetadata> T component(List<T> resources, String component) {
      return resources.stream()
          .filter(
              r -> component.equals(r.getMetadata().getLabels().get("app.kubernetes.io/component")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + component + " resource"));
    }
  }

  private static List<String> kinds(List<? extends HasMetadata> resources) {
    return resources.stream().map(HasMetadata::getKind).toList();
  }

  private static PodSpec pod(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  private static Container container(Deployment deployment) {
    assertThat(pod(deployment).getContainers()).hasSize(1);
    return pod(deployment).getContainers().getFirst();
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(variable -> variable.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
  }

  private static Quantity gpuCount(Container container) {
    var resources = container.getResources();
    Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
    return limits.get(GPU);
  }

  private static List<Probe> probes(Container container) {
    return Stream.of(
            container.getStartupProbe(),
            container.getLivenessProbe(),
            container.getReadinessProbe())
        .map(probe -> Objects.requireNonNull(probe, container.getName() + " lacks a probe"))
        .toList();
  }

  private static boolean emptyDirMountedAt(PodSpec pod, Container container, String path) {
    return container.getVolumeMounts().stream()
        .filter(mount -> mount.getMountPath().equals(path))
        .map(VolumeMount::getName)
        .anyMatch(
            name ->
                pod.getVolumes().stream()
                    .filter(volume -> volume.getName().equals(name))
                    .map(Volume::getEmptyDir)
                    .anyMatch(Objects::nonNull));
  }

  /**
   * Paths (from {@code root}) of properties the model class did not know: fabric8 keeps them in
   * {@code getAdditionalProperties()} instead of failing.
   */
  private static List<String> unknownFields(Object node, String path) {
    List<String> unknown = new ArrayList<>();
    if (node == null) {
      return unknown;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknown.addAll(unknownFields(item, path + "[" + i++ + "]"));
      }
      return unknown;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> unknown.addAll(unknownFields(value, path + "." + key)));
      return unknown;
    }
    if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return unknown;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        ((Map<?, ?>) value).keySet().forEach(key -> unknown.add(path + "." + key));
      } else {
        unknown.addAll(unknownFields(value, path + "." + getter.getName().substring(3)));
      }
    }
    return unknown;
  }

  // --- the application -------------------------------------------------------------------------

  /** Values that point the chart at the test PostgreSQL, in a database of its own. */
  private static Map<String, Object> testDatabaseValues() throws SQLException {
    TestDatabase.Connection server = TestDatabase.get();
    try (Connection admin =
            DriverManager.getConnection(server.url(), server.username(), server.password());
        Statement statement = admin.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
      statement.execute("CREATE DATABASE " + DATABASE);
    }
    URI uri = URI.create(server.url().substring("jdbc:".length()));
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("database.host", uri.getHost());
    values.put("database.port", uri.getPort());
    values.put("database.name", DATABASE);
    values.put("database.user", server.username());
    values.put("database.password", server.password());
    values.put("database.sslmode", "disable");
    values.put("worker.keda.enabled", true);
    values.put("adminKey", "admin-key-of-the-helm-test-0123456789");
    return values;
  }

  /**
   * Starts the application the way the pod would: with the container's environment (values from the
   * rendered Secret) in place of the process environment. Three settings stay this machine's: a
   * free port, no base model (nothing gets claimed) and a temporary data directory.
   */
  private ConfigurableApplicationContext startPod(Deployment deployment) {
    Map<String, Object> variables = new LinkedHashMap<>();
    for (EnvVar variable : container(deployment).getEnv()) {
      if (variable.getValue() != null) {
        variables.put(variable.getName(), variable.getValue());
      } else {
        var ref = variable.getValueFrom().getSecretKeyRef();
        Secret secret = local.only(Secret.class);
        if (secret.getStringData().containsKey(ref.getKey())) {
          variables.put(variable.getName(), local.secretValue(ref.getKey()));
        } else {
          assertThat(ref.getOptional()).as("%s is required", ref.getKey()).isTrue();
        }
      }
    }
    StandardEnvironment environment = environmentOf(variables);
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "this test machine",
                Map.of(
                    "server.port",
                    "0",
                    // the embedded default model, unpacked here: readiness needs a usable model
                    "dti.data-dir",
                    "target/helm-chart-test-" + UUID.randomUUID())));
    try {
      return new SpringApplicationBuilder(DtiApplication.class)
          .environment(environment)
          .listeners(LoggingSetUp.BEFORE, LoggingSetUp.AFTER)
          .run();
    } finally {
      LoggingSetUp.releaseIfHeld();
    }
  }

  /**
   * Spring Boot resets and configures Logback while an application starts; two starting at once
   * would garble each other's log patterns, so one at a time does that part.
   */
  record LoggingSetUp(int order, boolean before)
      implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final ReentrantLock LOCK = new ReentrantLock();
    static final LoggingSetUp BEFORE =
        new LoggingSetUp(LoggingApplicationListener.DEFAULT_ORDER - 1, true);
    static final LoggingSetUp AFTER =
        new LoggingSetUp(LoggingApplicationListener.DEFAULT_ORDER + 1, false);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
      if (before) {
        LOCK.lock();
      } else {
        releaseIfHeld();
      }
    }

    @Override
    public int getOrder() {
      return order;
    }

    static void releaseIfHeld() {
      if (LOCK.isHeldByCurrentThread()) {
        LOCK.unlock();
      }
    }
  }

  private int port(String component) {
    return ((WebServerApplicationContext) pods.get(component)).getWebServer().getPort();
  }

  private static java.net.http.HttpResponse<String> get(int port, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
          BodyHandlers.ofString());
    }
  }

  /** An environment whose process environment is exactly {@code variables}. */
  private static StandardEnvironment environmentOf(Map<String, ?> variables) {
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new LinkedHashMap<>(variables)));
    return environment;
  }

  /**
   * The settings the application reads from its environment: application.yml entries (through their
   * {@code ${VARIABLE}} placeholders), every {@code @ConfigurationProperties} record of the
   * application and {@code dti.roles}, bound with Spring Boot's relaxed binding as at start-up.
   */
  static final class ApplicationSettings {

    private static final Map<String, Bindable<?>> BOUND = boundSettings();
    private static final Map<String, String> APPLICATION_YML = applicationYml();

    private ApplicationSettings() {}

    /** The settings a process environment holding only this variable would change. */
    static Set<String> readingVariable(String name, String value) {
      Set<String> reading = new LinkedHashSet<>();
      var probe = "probe-" + UUID.randomUUID();
      StandardEnvironment placeholders = environmentOf(Map.of(name, probe));
      APPLICATION_YML.forEach(
          (key, raw) -> {
            if (placeholders.resolvePlaceholders(raw).contains(probe)) {
              reading.add(key);
            }
          });
      StandardEnvironment environment = environmentOf(Map.of(name, value));
      var variables =
          environment
              .getPropertySources()
              .get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
      Binder binder = Binder.get(environment);
      BOUND.forEach(
          (prefix, target) ->
              binder.bind(
                  prefix,
                  target,
                  new BindHandler() {
                    @Override
                    public Object onSuccess(
                        ConfigurationPropertyName setting,
                        Bindable<?> bindable,
                        BindContext context,
                        Object result) {
                      var property = context.getConfigurationProperty();
                      if (property != null
                          && property.getSource().getUnderlyingSource() == variables) {
                        reading.add(setting.toString());
                      }
                      return result;
                    }
                  }));
      return reading;
    }

    /** Prefix and type of each {@code @ConfigurationProperties} class, plus {@code dti.roles}. */
    private static Map<String, Bindable<?>> boundSettings() {
      var scanner = new ClassPathScanningCandidateComponentProvider(false);
      scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
      Map<String, Bindable<?>> settings = new LinkedHashMap<>();
      for (var candidate : scanner.findCandidateComponents(DtiApplication.class.getPackageName())) {
        try {
          Class<?> type = Class.forName(candidate.getBeanClassName());
          String prefix = type.getAnnotation(ConfigurationProperties.class).value();
          settings.put(prefix, Bindable.of(type));
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
      assertThat(settings).hasSizeGreaterThan(5);
      settings.put(ServiceRoles.PROPERTY, Bindable.listOf(String.class));
      return settings;
    }

    private static Map<String, String> applicationYml() {
      try {
        Map<String, String> entries = new LinkedHashMap<>();
        for (var source :
            new YamlPropertySourceLoader()
                .load("application.yml", new ClassPathResource("application.yml"))) {
          var enumerable = (EnumerablePropertySource<?>) source;
          for (String name : enumerable.getPropertyNames()) {
            entries.put(name, String.valueOf(enumerable.getProperty(name)));
          }
        }
        return entries;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Whether a JVM started with the variable reports that it picked it up (JAVA_TOOL_OPTIONS). */
  private static boolean jvmPicksUp(String name, String value) throws Exception {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var process = new ProcessBuilder(java, "-version").redirectErrorStream(true);
    process.environment().put(name, value);
    Process started = process.start();
    String output = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return started.waitFor() == 0 && output.contains("Picked up " + name + ": " + value);
  }

  // --- the KEDA query --------------------------------------------------------------------------

  private static final Pattern LIBPQ_PAIR = Pattern.compile("(\\w+)='((?:[^'\\\\]|\\\\.)*)'");

  /** Connects the way KEDA will: with the libpq key/value string from the Secret. */
  private static Connection connectWithKedaConnection(String connection) throws SQLException {
    Map<String, String> parts = new LinkedHashMap<>();
    Matcher pair = LIBPQ_PAIR.matcher(connection);
    while (pair.find()) {
      parts.put(pair.group(1), pair.group(2).replaceAll("\\\\(.)", "$1"));
    }
    assertThat(parts).containsOnlyKeys("host", "port", "user", "password", "dbname", "sslmode");
    Properties properties = new Properties();
    properties.setProperty("user", parts.get("user"));
    properties.setProperty("password", parts.get("password"));
    properties.setProperty("sslmode", parts.get("sslmode"));
    return DriverManager.getConnection(
        "jdbc:postgresql://%s:%s/%s"
            .formatted(parts.get("host"), parts.get("port"), parts.get("dbname")),
        properties);
  }

  private static void insertJob(
      Connection db, UUID tenant, String kind, String state, String runAfter) throws SQLException {
    boolean running = state.equals("running");
    execute(
        db,
        """
        INSERT INTO jobs (id, tenant_id, kind, state, attempts, max_attempts, run_after,
                          lease_owner, lease_expires_at)
        VALUES ('%s', '%s', '%s', '%s', %d, 3, %s, %s, %s)
        """
            .formatted(
                UUID.randomUUID(),
                tenant,
                kind,
                state,
                running ? 1 : 0,
                runAfter,
                running ? "'some-worker/dti-worker-gpu0-0'" : "NULL",
                running ? "now() + interval '1 minute'" : "NULL"));
  }

  private static void execute(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }
}
