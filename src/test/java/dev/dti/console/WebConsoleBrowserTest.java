package dev.dti.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dti.security.TenantService;
import dev.dti.support.TestDatabase;
import dev.dti.toyworld.ToyWorldCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The web console in headless Chromium against this process (API and worker, on the embedded
 * default model and a database of its own): sign in, train a concept while its charts fill, import
 * its embedding as a second concept, generate, interpolate between the two and scrub, with no error
 * in the browser's console. Skipped where Chromium or its driver is not installed.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "dti.roles=api,worker",
      "dti.worker.poll-interval=100ms",
      "dti.training.progress-every=2",
      "dti.training.preview-every=30",
      "dti.training.preview-steps=4",
      "dti.training.views-per-image=1"
    })
class WebConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target/console-screenshots");
  private static final Duration TRAINING = Duration.ofMinutes(6);
  private static final Path DATA = tempDir("dti-console-data");

  @LocalServerPort int port;
  @Autowired TenantService tenants;

  private ChromeDriver driver;
  private Path profile;

  @BeforeAll
  static void browserInstalled() {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
  }

  @DynamicPropertySource
  static void ownDatabase(DynamicPropertyRegistry registry) {
    TestDatabase.Connection own = TestDatabase.createDatabase("console");
    String url = own.url();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", own::username);
    registry.add("spring.datasource.password", own::password);
    registry.add("dti.data-dir", DATA::toString);
  }

  @AfterEach
  void quit() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aTenantTrainsImportsGeneratesAndInterpolatesInTheBrowser() throws Exception {
    String key = tenants.createTenant("console-" + UUID.randomUUID()).key().key();
    Path hearts = tempDir("dti-console-hearts");
    assertThat(
            new ToyWorldCommands()
                .run(
                    new String[] {
                      "samples",
                      "--shape",
                      "heart",
                      "--colour",
                      "green",
                      "--count",
                      "4",
                      "--seed",
                      "1",
                      "--out",
                      hearts.toString()
                    }))
        .isZero();
    List<String> images;
    try (Stream<Path> files = Files.list(hearts)) {
      images = files.sorted().map(Path::toString).toList();
    }
    assertThat(images).hasSize(4);
    String base = "http://localhost:" + port;
    assertThat(headers(base + "/").firstValue("Content-Security-Policy"))
        .contains(ContentSecurityPolicyFilter.POLICY);
    assertThat(headers(base + "/js/app.js").firstValue("Content-Security-Policy")).isPresent();
    assertThat(headers(base + "/v3/api-docs").firstValue("Content-Security-Policy")).isEmpty();

    driver = startChromium();
    var wait = new WebDriverWait(driver, Duration.ofSeconds(30));

    // A wrong key shows the API's problem detail.
    driver.get(base + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")))
        .sendKeys("dti_wrong");
    driver.findElement(By.id("signin")).click();
    wait.until(d -> !d.findElement(By.id("signin-error")).getText().isBlank());
    screenshot("signin");
    assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();
    assertThat(severe()).allMatch(entry -> entry.getMessage().contains("401"));

    driver.findElement(By.id("api-key")).clear();
    driver.findElement(By.id("api-key")).sendKeys(key);
    driver.findElement(By.id("signin")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("concept-list")));

    // New concept: four pictures, a few steps.
    driver.get(base + "/#/new");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("images")))
        .sendKeys(String.join("\n", images));
    wait.until(d -> d.findElements(By.cssSelector("#thumbs img")).size() == 4);
    driver.findElement(By.id("name")).sendKeys("Green heart");
    driver.findElement(By.id("token")).sendKeys("green-heart");
    assertThat(driver.findElement(By.id("token-error")).getText()).isNotBlank();
    driver.findElement(By.id("token")).clear();
    driver.findElement(By.id("token")).sendKeys("<green-heart>");
    assertThat(driver.findElement(By.id("token-error")).getText()).isBlank();
    driver.findElement(By.cssSelector("details summary")).click();
    WebElement steps = driver.findElement(By.id("steps"));
    steps.clear();
    steps.sendKeys("6000");
    driver.findElement(By.id("create")).click();
    wait.until(d -> !d.findElement(By.id("steps-error")).getText().isBlank());
    assertThat(driver.findElement(By.id("steps-error")).getText())
        .isEqualTo("steps: must be between 1 and 5000");
    assertThat(severe()).allMatch(entry -> entry.getMessage().contains("400"));
    steps.clear();
    steps.sendKeys("60");
    assertThat(driver.findElement(By.id("steps-error")).getText()).isBlank();
    screenshot("new-concept");
    driver.findElement(By.id("create")).click();

    // The job page follows the stream until the end, with both charts filled and the line m.
    wait.until(ExpectedConditions.urlContains("#/job/"));
    new WebDriverWait(driver, TRAINING)
        .until(d -> d.findElement(By.id("job-state")).getText().equals("succeeded"));
    wait.until(d -> !d.findElement(By.id("norm-m")).getText().isBlank());
    assertThat(driver.findElement(By.id("job-numbers")).getText()).isEqualTo("step 60 of 60");
    assertThat(driver.findElements(By.cssSelector("#loss-chart canvas"))).hasSize(1);
    assertThat(driver.findElements(By.cssSelector("#norm-chart canvas"))).hasSize(1);
    assertThat(driver.findElement(By.id("norm-chart")).getText()).contains("m");
    wait.until(d -> d.findElements(By.cssSelector("#previews img")).size() == 2);
    assertThat(driver.findElements(By.cssSelector("#previews figcaption")))
        .extracting(WebElement::getText)
        .containsExactly("step 30", "step 60");
    wait.until(
        d ->
            (Boolean)
                ((JavascriptExecutor) d)
                    .executeScript(
                        "return [...document.querySelectorAll('#previews img')]"
                            + ".every(i => i.complete && i.naturalWidth > 0)"));
    screenshot("job");
    for (String format : List.of("diffusers", "a1111", "kohya")) {
      driver.findElement(By.id("download-" + format)).click();
    }
    String jobId = driver.getCurrentUrl().replaceAll(".*#/job/", "");
    String job = new String(get(base + "/v1/jobs/" + jobId, key).body());
    var conceptId = java.util.regex.Pattern.compile("\"conceptId\":\"([^\"]+)\"").matcher(job);
    assertThat(conceptId.find()).as(job).isTrue();

    // Import: the exported embedding, repaired, becomes the second concept.
    Path exported = hearts.resolveSibling(hearts.getFileName() + "-export.safetensors");
    Files.write(
        exported,
        get(base + "/v1/concepts/" + conceptId.group(1) + "/embedding?format=diffusers", key)
            .body());
    driver.get(base + "/#/import");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("file")))
        .sendKeys(exported.toString());
    driver.findElement(By.id("import-token")).sendKeys("<heart-copy>");
    driver.findElement(By.id("import")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("import-done")));
    screenshot("import");

    // Generate with the new token.
    driver.get(base + "/#/generate");
    WebElement prompt = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("prompt")));
    assertThat(driver.findElements(By.cssSelector("#tokens option"))).hasSize(2);
    prompt.sendKeys("<green-heart>");
    driver.findElement(By.id("gen-dice")).click();
    driver.findElement(By.id("generate")).click();
    new WebDriverWait(driver, Duration.ofMinutes(2))
        .until(
            d ->
                d.findElements(By.cssSelector("#gallery img")).size() == 2
                    && d.findElements(By.cssSelector("#gallery img")).stream()
                        .allMatch(img -> img.getAttribute("src").startsWith("blob:")));
    screenshot("generate");

    // Interpolate between the two and move the slider.
    driver.get(base + "/#/interpolate");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("int-second")));
    assertThat(new Select(driver.findElement(By.id("int-first"))).getOptions()).hasSize(2);
    WebElement points = driver.findElement(By.id("points"));
    points.clear();
    points.sendKeys("3");
    driver.findElement(By.id("interpolate")).click();
    WebElement slider =
        new WebDriverWait(driver, Duration.ofMinutes(2))
            .until(ExpectedConditions.presenceOfElementLocated(By.id("scrub")));
    wait.until(d -> d.findElement(By.id("scrub-image")).getAttribute("src").startsWith("blob:"));
    assertThat(driver.findElement(By.id("scrub-readout")).getText()).startsWith("t = 0.00");
    slider.sendKeys(Keys.ARROW_RIGHT);
    wait.until(d -> d.findElement(By.id("scrub-readout")).getText().startsWith("t = 0.50"));
    driver.executeScript(
        "arguments[0].scrollIntoView({block: 'end'})", driver.findElement(By.id("download-point")));
    screenshot("interpolate");

    // Without the event stream (the page's fetch of it fails) the job page polls the job instead.
    driver.executeScript(
        "const fetchOf = window.fetch;"
            + " window.fetch = (url, options) => String(url).endsWith('/events')"
            + " ? Promise.reject(new TypeError('the test blocks the stream'))"
            + " : fetchOf(url, options);"
            + " location.hash = '#/new';");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("images")))
        .sendKeys(String.join("\n", images));
    wait.until(d -> d.findElements(By.cssSelector("#thumbs img")).size() == 4);
    driver.findElement(By.id("name")).sendKeys("Green heart, polled");
    driver.findElement(By.id("token")).sendKeys("<green-heart-polled>");
    driver.findElement(By.cssSelector("details summary")).click();
    driver.findElement(By.id("steps")).clear();
    driver.findElement(By.id("steps")).sendKeys("300");
    driver.findElement(By.id("create")).click();
    wait.until(d -> d.findElement(By.id("status")).getText().contains("polling every 2 s"));
    new WebDriverWait(driver, TRAINING)
        .until(d -> d.findElement(By.id("job-state")).getText().equals("succeeded"));
    assertThat(driver.findElement(By.id("job-numbers")).getText()).isEqualTo("step 300 of 300");

    // The list, on a desktop and at 360 px.
    driver.get(base + "/#/concepts");
    wait.until(d -> d.findElements(By.cssSelector("#concept-list .concept")).size() == 3);
    wait.until(
        d ->
            d.findElements(By.cssSelector("#concept-list img")).stream()
                .allMatch(img -> String.valueOf(img.getAttribute("src")).startsWith("blob:")));
    screenshot("concepts");
    driver.manage().window().setSize(new Dimension(360, 800));
    screenshot("concepts-360");

    assertThat(severe()).as("errors in the browser console").isEmpty();
  }

  private ChromeDriver startChromium() throws IOException {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    profile = Files.createTempDirectory("dti-console-chromium");
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    var logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    var service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }

  /** The browser's SEVERE console entries since the last call (reading them empties the log). */
  private List<LogEntry> severe() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(
        shot, SCREENSHOTS.resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static java.net.http.HttpHeaders headers(String url) throws Exception {
    try (var client = HttpClient.newHttpClient()) {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.discarding())
          .headers();
    }
  }

  private static HttpResponse<byte[]> get(String url, String key) throws Exception {
    try (var client = HttpClient.newHttpClient()) {
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + key)
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
      return response;
    }
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
