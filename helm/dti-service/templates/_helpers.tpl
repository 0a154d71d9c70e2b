{{/* Chart name, at most 63 characters (a DNS label). */}}
{{- define "dti-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: release name plus chart name, unless the release name holds it already. */}}
{{- define "dti-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dti-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "dti-service.labels" -}}
helm.sh/chart: {{ include "dti-service.chart" . }}
{{ include "dti-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels shared by the API and worker pods: a ServiceMonitor selects both with these. */}}
{{- define "dti-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dti-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dti-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dti-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dti-service.secretName" -}}
{{- default (printf "%s-secrets" (include "dti-service.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* image for a component: {"root": ., "override": .Values.worker.image} */}}
{{- define "dti-service.image" -}}
{{- $root := .root }}
{{- $repository := default $root.Values.image.repository .override.repository }}
{{- $tag := default (default $root.Chart.AppVersion $root.Values.image.tag) .override.tag }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* A libpq key/value string value: single-quoted, backslash and quote escaped. */}}
{{- define "dti-service.libpqValue" -}}
'{{ . | toString | replace "\\" "\\\\" | replace "'" "\\'" }}'
{{- end }}

{{/*
Environment of both containers: roles, port, state directories, database and keys from the Secret.
Each name is one the application reads (see HelmChartTest).
*/}}
{{- define "dti-service.commonEnv" -}}
- name: SERVER_PORT
  value: {{ .Values.containerPort | quote }}
- name: DTI_DATA_DIR
  value: {{ .Values.dataDir.mountPath | quote }}
{{- if .Values.model.persistentVolumeClaim }}
- name: DTI_MODEL_DIR
  value: {{ trimSuffix "/" (printf "%s/%s" .Values.model.mountPath .Values.model.subPath) | quote }}
{{- end }}
- name: DTI_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "dti-service.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUrl }}
- name: DTI_DATABASE_USER
  valueFrom:
    secretKeyRef:
      name: {{ include "dti-service.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUser }}
- name: DTI_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "dti-service.secretName" . }}
      key: {{ .Values.secrets.keys.databasePassword }}
- name: DTI_ADMIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "dti-service.secretName" . }}
      key: {{ .Values.secrets.keys.adminKey }}
      optional: true
- name: DTI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "dti-service.secretName" . }}
      key: {{ .Values.secrets.keys.apiKey }}
      optional: true
{{- end }}

{{/* Probes on the actuator health groups; a worker-only pod serves them too. */}}
{{- define "dti-service.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end }}

{{- define "dti-service.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: {{ .Values.dataDir.mountPath }}
{{- if .Values.model.persistentVolumeClaim }}
- name: model
  mountPath: {{ .Values.model.mountPath }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "dti-service.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmp.sizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataDir.sizeLimit }}
{{- if .Values.model.persistentVolumeClaim }}
- name: model
  persistentVolumeClaim:
    claimName: {{ .Values.model.persistentVolumeClaim }}
    readOnly: true
{{- end }}
{{- end }}

{{/* The KEDA query: jobs a worker is running, plus queued jobs whose run_after (retry backoff) is due. */}}
{{- define "dti-service.kedaQuery" -}}
{{- $kinds := list }}
{{- range .Values.worker.keda.jobKinds }}
{{- if not (regexMatch "^[a-z][a-z0-9_-]*$" .) }}
{{- fail (printf "worker.keda.jobKinds: %q is not a job kind (lower-case letters, digits, _ and -)" .) }}
{{- end }}
{{- $kinds = append $kinds (printf "'%s'" .) }}
{{- end }}
{{- printf "SELECT count(*) FROM jobs WHERE kind IN (%s) AND (state = 'running' OR (state = 'queued' AND run_after <= now()))" (join ", " $kinds) }}
{{- end }}
