# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: every name, label, port and address of an instance, derived once.

Both backends, both modules, the role (through the filter daprkit.dapr.shared_names) and the
tests take names from here; no YAML or shell spells one. Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MANAGED_BY = 'daprkit.dapr'
FIELD_MANAGER = 'daprkit.dapr'
HELM_MANAGED_BY = 'Helm'
LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by'
LABEL_NAME = 'app.kubernetes.io/name'
LABEL_INSTANCE = 'app.kubernetes.io/instance'
LABEL_COMPONENT = 'app.kubernetes.io/component'
LABEL_VERSION = 'app.kubernetes.io/version'
LABEL_STRATEGY = 'dapr.daprkit.io/strategy'
LABEL_HELM_CHART = 'helm.sh/chart'
ANNOTATION_HELM_RELEASE = 'meta.helm.sh/release-name'
ANNOTATION_HELM_HOOK = 'helm.sh/hook'
APP_NAME = 'dapr-shared'
HELM_CHART_NAME = 'dapr-shared-chart'
ANNOTATION_APP_ID = 'dapr.io/app-id'
ANNOTATION_CONFIG = 'dapr.io/config'
ANNOTATION_TRUST_HASH = 'dapr.daprkit.io/trust-anchors-hash'
# token field -> (env var daprd reads, Secret name suffix, pod annotation that rolls the pods on change)
TOKEN_FIELDS = (
    ('api_token', 'DAPR_API_TOKEN', 'dapr-api-token', 'dapr.daprkit.io/api-token-hash'),
    ('app_token', 'APP_API_TOKEN', 'dapr-app-token', 'dapr.daprkit.io/app-token-hash'),
)

HTTP_PORT = 3500
GRPC_PORT = 50001
INTERNAL_GRPC_PORT = 50002
PUBLIC_PORT = 3501
DAPRD_PORTS = (HTTP_PORT, PUBLIC_PORT, GRPC_PORT, INTERNAL_GRPC_PORT)
NONROOT_UID = 65532
SENTRY_TOKEN_PATH = '/var/run/secrets/dapr.io/sentrytoken'

# What identifies a Dapr control plane in a namespace: its Sentry Service (one rule, used by
# the modules and, through dapr_shared_info, by the control-plane role).
CONTROL_PLANE_SERVICE = 'dapr-sentry'
CONTROL_PLANE_CONFIGURATION = 'daprsystem'
CONTROL_PLANE_OPERATOR = 'dapr-operator'
TRUST_BUNDLE = 'dapr-trust-bundle'

# Helm keeps a release's history in Secrets labelled like this (storage driver "secret").
HELM_STORAGE_LABELS = 'owner=helm,name=%s'

# Service name = <app_id>-dapr (the chart's name too), a DNS-1123 label of 63 characters at most.
MAX_APP_ID_LENGTH = 63 - len('-dapr')


def service_name(app_id):
    """The Service daprd peers and clients use; the same name in both backends."""
    return '%s-dapr' % app_id


def token_secret_name(app_id, field):
    suffix = dict((f, sfx) for f, _env, sfx, _ann in TOKEN_FIELDS)[field]
    return '%s-%s' % (app_id, suffix)


def names(app_id, method='manifests'):
    """Object names of an instance. The helm backend keeps the chart's names (release = app id)."""
    base = '%s-%s' % (app_id, HELM_CHART_NAME if method == 'helm' else APP_NAME)
    return dict(
        workload=base,
        service_account=base,
        network_policy='%s-%s' % (app_id, APP_NAME),
        disruption_budget='%s-%s' % (app_id, APP_NAME),
        configuration='%s-%s' % (app_id, APP_NAME),
        service=service_name(app_id),
        trust_anchors='%s-dapr-trust-anchors' % app_id,
        api_token=token_secret_name(app_id, 'api_token'),
        app_token=token_secret_name(app_id, 'app_token'),
        helm_release=app_id,
    )


def selector_labels(app_id, method='manifests'):
    """The workload's pod selector: ours, or the chart's (a selector is immutable, so each backend keeps its own)."""
    return {LABEL_NAME: HELM_CHART_NAME if method == 'helm' else APP_NAME, LABEL_INSTANCE: app_id}


def owner_labels(app_id, method='manifests'):
    """Labels by which a backend recognises its objects (Helm adds its own managed-by label)."""
    if method == 'helm':
        return {LABEL_MANAGED_BY: HELM_MANAGED_BY, LABEL_INSTANCE: app_id}
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_INSTANCE: app_id}


def label_selector(match_labels):
    """A label selector string for the API ({'a': '1', 'b': '2'} -> 'a=1,b=2')."""
    return ','.join('%s=%s' % kv for kv in sorted(match_labels.items()))


def service_host(app_id, namespace, cluster_domain='cluster.local'):
    """The Service's DNS name inside the cluster."""
    return '%s.%s.svc.%s' % (service_name(app_id), namespace, cluster_domain or 'cluster.local')


def endpoints(app_id, namespace, cluster_domain='cluster.local'):
    """What apps set to reach an instance (Dapr SDKs read these variables)."""
    host = service_host(app_id, namespace, cluster_domain)
    return dict(
        service=service_name(app_id),
        DAPR_HTTP_ENDPOINT='http://%s:%d' % (host, HTTP_PORT),
        DAPR_GRPC_ENDPOINT='http://%s:%d' % (host, GRPC_PORT),
    )


def instance_key(instance):
    return '%s/%s' % (instance['namespace'], instance['app_id'])


def resolve_addresses(instance, control_plane_namespace):
    """Control-plane addresses, derived from the namespace unless given explicitly."""
    suffix = '%s.svc.%s' % (control_plane_namespace, instance.get('cluster_domain') or 'cluster.local')
    return dict(
        sentry=instance.get('sentry_address') or 'dapr-sentry.%s:443' % suffix,
        operator=instance.get('operator_address') or 'dapr-api.%s:443' % suffix,
        placement=instance.get('placement_address') or 'dapr-placement-server.%s:50005' % suffix,
        scheduler=instance.get('scheduler_address') or 'dapr-scheduler-server-a.%s:443' % suffix,
    )


def token_secret_ref(instance, field='api_token'):
    """(secret name, key) daprd reads the token from, or None when that token is disabled."""
    token = instance.get(field) or {}
    if not token.get('enabled'):
        return None
    return (token.get('secret_name') or token_secret_name(instance['app_id'], field), token.get('secret_key') or 'token')
