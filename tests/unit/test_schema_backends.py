"""Every schema field is consumed by each backend or refused by it with a reason.

For each field (and sub-field), an instance with the field's sample value must render differently
from the default instance: for manifests, the applied objects; for helm, the chart values plus the
post-render plan (what Helm installs); for both, what the module applies into the apps of `apps`.
A field that changes nothing is dropped silently: this fails.
"""
import copy
import json
import re

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._render import render_instance

CHART = dict(ref='oci://mirror/dapr-shared-chart', version='0.0.16')
# Fields that select what is installed rather than how: compared through their own assertions.
NOT_RENDERED = {
    'state': 'absent removes the instance (tested in test_module_orchestration)',
    'method': 'selects the backend itself',
    'app_id': 'required; names every object',
    'allow_version_skew': 'lets an unsupported daprd version through the check before rendering (test_versions)',
    'allow_no_nodes': 'lets the wait accept a DaemonSet placed on no node (test_references)',
}
# Fields that only matter together with another field (sample of the base changed too).
NEEDS = {
    'app_health.path': dict(remote_host='app', remote_port=8080, app_health=dict(enabled=True)),
    'app_health.probe_interval': dict(remote_host='app', remote_port=8080, app_health=dict(enabled=True)),
    'app_health.probe_timeout': dict(remote_host='app', remote_port=8080, app_health=dict(enabled=True)),
    'app_health.threshold': dict(remote_host='app', remote_port=8080, app_health=dict(enabled=True)),
    'app_health.enabled': dict(remote_host='app', remote_port=8080),
    'remote_host': dict(remote_host='first', remote_port=8080),
    'remote_port': dict(remote_host='app'),
    'replicas': dict(strategy='deployment'),
    'disruption_budget.enabled': dict(strategy='deployment'),
    'disruption_budget.max_unavailable': dict(strategy='deployment'),
    'disruption_budget.unhealthy_pod_eviction_policy': dict(strategy='deployment'),
    'topology_spread': dict(strategy='deployment'),
    'api_token.value': dict(),
    'api_token.secret_key': dict(),
    'app_token.value': dict(app_token=dict(enabled=True)),
    'app_token.secret_name': dict(app_token=dict(enabled=True)),
    'app_token.secret_key': dict(app_token=dict(enabled=True)),
    'network_policy.monitoring_namespaces': dict(),
    # the apps' sub-fields change an app of the list
    'apps.kind': dict(apps=SC.FIELDS['apps'].sample),
    'apps.name': dict(apps=SC.FIELDS['apps'].sample),
    'apps.namespace': dict(apps=SC.FIELDS['apps'].sample, network_policy=dict(client_namespaces=['apps', 'clients'])),
    'apps.containers': dict(apps=SC.FIELDS['apps'].sample),
}
# Containers of the apps' workloads, as the runner reads them (the wiring of `apps` goes into each of them).
APP_CONTAINERS = ['app', 'sidecar']


def _set(instance, dotted, value):
    parts = dotted.split('.')
    target = instance
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    for entry in target if isinstance(target, list) else [target]:  # a list of mappings: each entry
        entry[parts[-1]] = copy.deepcopy(value)


def _base(extra):
    raw = dict(app_id='orders', namespace='apps')
    for key, value in copy.deepcopy(extra).items():
        raw[key] = value
    return raw


def _context(raw):
    instance = SC.apply_defaults(raw)
    assert V.validate_instance(instance) == [], V.validate_instance(instance)
    # the runner reads the control plane of control_plane_namespace; here it is given
    cp = ControlPlane(instance['control_plane_namespace'] or 'dapr-system', instance['control_plane_trust_domain'] or 'cluster.local', 'CERT',
                      instance['mtls'] != 'disabled', '1.18.2')
    return instance, cp, instance['daprd_version'] or '1.18.2'


def _objects(instance, cp, version):
    tokens = dict(api_token=(instance['api_token']['value'] or None, 'h'),
                  app_token=(instance['app_token']['value'] or None, 'h'))
    if instance['api_token']['value'] == '' and not instance['api_token']['secret_name']:
        tokens['api_token'] = ('generated-token-value-' + 'x' * 20, 'h')
    return render_instance(instance, cp, version, tokens)


def _outputs(raw, method):
    instance, cp, version = _context(dict(raw, method=method))
    objects = _objects(instance, cp, version)
    # what the module applies into the apps' workloads, for both backends (the runner's apply step)
    want = W.expected(instance, 'h')
    wiring = [W.patch(app['kind'], W.app_namespace(instance, app), app['name'], app['containers'] or APP_CONTAINERS,
                      want) for app in instance['apps']]
    if method == 'manifests':
        return json.dumps([objects, wiring], sort_keys=True)
    release = _helm.release(instance, cp, version, objects, CHART)
    return json.dumps([release, wiring], sort_keys=True)


def _extra(name):
    """The other fields a field's sample needs to matter."""
    extra = NEEDS.get(name, {})
    if name == 'network_policy.monitoring_namespaces':
        extra = dict(metrics=dict(enabled=True))
    if name.startswith('network_policy.') and name != 'network_policy.enabled':
        extra = dict(extra, network_policy=dict(enabled=True))
    return extra


def _with_sample(name, field):
    base = _base(_extra(name))
    changed = copy.deepcopy(base)
    _set(changed, name, copy.deepcopy(field.sample))
    return base, changed


# mappings are covered through their sub-fields; a list of mappings (apps) both itself and through them
FIELDS = [(name, field) for name, field in SC.walk()
          if name not in NOT_RENDERED and not (field.options and field.type == 'dict')]


@pytest.mark.parametrize('method', SC.METHODS)
@pytest.mark.parametrize('name,field', FIELDS, ids=[n for n, _f in FIELDS])
def test_every_field_changes_what_each_backend_installs(name, field, method):
    if method == 'helm' and field.helm:
        pytest.skip('refused by the helm backend: %s' % field.helm)
    assert field.sample is not None and field.sample != field.default, '%s needs a sample value' % name
    base, changed = _with_sample(name, field)
    assert _outputs(base, method) != _outputs(changed, method), \
        '%s=%r changes nothing with method %s: consume it or refuse it with a reason' % (name, field.sample, method)


def test_every_field_has_a_description_and_a_sample():
    for name, field in SC.walk():
        assert field.description and all(field.description), name
        if name not in NOT_RENDERED and not (field.options and field.type == 'dict'):
            assert field.sample is not None, name


def test_helm_storage_secret_decodes_to_status_chart_and_values():
    import base64
    import gzip
    import json
    from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
    record = dict(name='orders', version=3, info=dict(status='deployed'), config=dict(shared=dict(appId='orders')),
                  chart=dict(metadata=dict(name='dapr-shared-chart', version='0.0.16')))
    helm_encoded = base64.b64encode(gzip.compress(json.dumps(record).encode()))
    secret = dict(data=dict(release=base64.b64encode(helm_encoded).decode()))
    assert _helm.decode_release(secret) == dict(status='deployed', chart_name='dapr-shared-chart',
                                                chart_version='0.0.16', values=record['config'], revision=3)
    assert _helm.decode_release(dict(data=dict(release='not base64!')))['status'] == 'unknown'


# -- the chart values: every field the chart has a value for, and only those -----------------------

# Every value the official chart 0.0.16 reads (its templates' .Values.* paths: `helm pull
# oci://registry-1.docker.io/daprio/dapr-shared-chart --version 0.0.16 --untar` and
# `grep -rhoE '\.Values\.[A-Za-z0-9_.]+' dapr-shared-chart/templates | sort -u`).
CHART_0_0_16_VALUES = '''
affinity fullnameOverride imagePullSecrets nameOverride podAnnotations podSecurityContext securityContext
shared.appId shared.controlPlane.namespace shared.controlPlane.operator.address shared.controlPlane.operator.port
shared.controlPlane.placementServer.address shared.controlPlane.placementServer.port
shared.controlPlane.sentry.address shared.controlPlane.sentry.port shared.controlPlane.trustDomain
shared.daprd.apiLogging.enabled shared.daprd.app.protocol shared.daprd.appHealth.checkPath
shared.daprd.appHealth.enabled shared.daprd.appHealth.probeInterval shared.daprd.appHealth.probeTimeout
shared.daprd.appHealth.threshold shared.daprd.config shared.daprd.gracefulShutdownSeconds shared.daprd.grpcPort
shared.daprd.httpPort shared.daprd.image.name shared.daprd.image.pullPolicy shared.daprd.image.registry
shared.daprd.image.tag shared.daprd.internalGrpcPort shared.daprd.listenAddresses shared.daprd.metrics.enabled
shared.daprd.metrics.port shared.daprd.mtls.enabled shared.daprd.publicPort
shared.daprd.serviceAccountIdentityToken.audience shared.daprd.token shared.deployment.replicas
shared.initContainer.image.name shared.initContainer.image.registry shared.initContainer.image.tag
shared.initContainer.token shared.log.json shared.log.level shared.remotePort shared.remoteURL
shared.scheduler.address shared.scheduling.nodeSelector shared.service.type shared.serviceAccount.annotations
shared.serviceAccount.create shared.serviceAccount.name shared.strategy tolerations
'''.split()
# Chart values no field maps to, and why (docs/docsite/rst/from_chart.rst says the same to users).
NOT_A_FIELD = {
    'fullnameOverride': 'names derive from app_id', 'nameOverride': 'names derive from app_id',
    'podSecurityContext': 'the pod is always hardened', 'securityContext': 'the pod is always hardened',
    'shared.daprd.grpcPort': "Dapr's standard ports", 'shared.daprd.httpPort': "Dapr's standard ports",
    'shared.daprd.internalGrpcPort': "Dapr's standard ports", 'shared.daprd.publicPort': "Dapr's standard ports",
    'shared.daprd.listenAddresses': 'always every address of the pod',
    'shared.initContainer.image.name': 'no init container', 'shared.initContainer.image.registry': 'no init container',
    'shared.initContainer.image.tag': 'no init container', 'shared.initContainer.token': 'no init container',
    'shared.service.type': 'always ClusterIP',
    'shared.serviceAccount.create': 'always created', 'shared.serviceAccount.name': 'named from app_id',
}
LEAVES = [(name, field) for name, field in SC.walk() if not (field.options and field.type == 'dict')]


def _declared_paths():
    return [value.path for _name, field in SC.walk() for value in field.chart_values()]


def test_every_value_of_the_chart_is_a_field_or_said_why_not():
    declared = _declared_paths()
    assert len(declared) == len(set(declared)), 'a chart value is declared by two fields'
    assert not set(declared) & set(NOT_A_FIELD)
    assert sorted(set(declared) | set(_helm.CHART_CONSTANTS) | set(NOT_A_FIELD)) == sorted(CHART_0_0_16_VALUES)
    for name, field in SC.walk():
        if isinstance(field.chart, SC.Feeds):
            assert set(field.chart.paths) <= set(declared), name


def _at(values, path):
    for part in path.split('.'):
        if not isinstance(values, dict) or part not in values:
            return KeyError(path)
        values = values[part]
    return values


def _chart_values(raw):
    return _helm.chart_values(*_context(dict(raw, method='helm')))


def test_the_chart_values_carry_each_declared_path():
    values = _chart_values(_base({}))
    for path in _declared_paths():
        assert not isinstance(_at(values, path), KeyError), path


@pytest.mark.parametrize('name,field', LEAVES, ids=[n for n, _f in LEAVES])
def test_a_field_changes_its_chart_values_and_nothing_else_does(name, field):
    """helm get values shows every field with a chart value (Value, Feeds); a PlanOnly or NotReleased field
    leaves the values as they are (what the README lists as living only in the post-render plan is true)."""
    assert field.chart is not None, '%s: declare chart= (a Value, Feeds, PlanOnly or NotReleased)' % name
    assert isinstance(field.chart, (list, SC.Feeds, SC.PlanOnly, SC.NotReleased)), name
    base, changed = _with_sample(name, field)
    before, after = _chart_values(base), _chart_values(changed)
    if isinstance(field.chart, (SC.PlanOnly, SC.NotReleased)):
        assert before == after, '%s is declared without a chart value but changes the chart values' % name
        return
    paths = field.chart.paths if isinstance(field.chart, SC.Feeds) else [value.path for value in field.chart]
    assert any(_at(before, path) != _at(after, path) for path in paths), \
        '%s=%r changes none of its chart values %s' % (name, field.sample, paths)


def test_a_free_form_mapping_declares_its_check():
    """A dict without sub-fields, or a list of mappings, accepts any key unless its check refuses them."""
    for name, field in SC.walk():
        if (field.type == 'dict' or field.elements == 'dict') and not field.options:
            assert field.check is not None, '%s: a free-form mapping needs check= (see _checks.py)' % name


# -- API server rejections traced back to the field --------------------------------------------------

def _values_at(obj, path):
    current = [obj]
    for token in re.findall(r'[^.\[\]]+|\[[^\]]*\]', path):
        found = []
        for value in current:
            if token == '[*]':
                found += value if isinstance(value, list) else []
            elif token.startswith('['):
                index = int(token[1:-1])
                found += [value[index]] if isinstance(value, list) and len(value) > index else []
            elif isinstance(value, dict) and token in value:
                found.append(value[token])
        current = found
    return current


API_FIELDS = [(name, field) for name, field in SC.walk() if field.api_paths]


@pytest.mark.parametrize('name,field', API_FIELDS, ids=[n for n, _f in API_FIELDS])
def test_api_paths_are_where_the_field_lands(name, field):
    base, changed = _with_sample(name, field)

    def at_paths(raw):
        objects = _objects(*_context(dict(raw, method='manifests')))
        return [[_values_at(obj, path) for obj in objects] for path in field.api_paths]
    assert at_paths(base) != at_paths(changed), '%s=%r changes nothing under %s' % (name, field.sample, field.api_paths)


# Messages of the kind cluster's API server (Kubernetes 1.33), server-side dry runs; the long regex
# explanations cut short.
REJECTIONS = [
    ('Deployment.apps "orders-dapr-shared" is invalid: [metadata.labels: Invalid value: "bad key": name part must '
     'consist of alphanumeric characters (e.g. \'MyName\',  or \'my.name\'), metadata.annotations: Invalid value: '
     '"bad key2": name part must consist of alphanumeric characters, spec.template.labels: Invalid value: "c d": '
     'name part must consist of alphanumeric characters, spec.template.spec.containers[0].resources.requests: '
     'Invalid value: "2": must be less than or equal to memory limit of 1, spec.template.spec.affinity.nodeAffinity.'
     'requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid '
     'value: "Bogus": not a valid selector operator, spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: '
     'must be greater than or equal to 0]',
     'labels, annotations, resources, affinity, rollout.max_unavailable'),
    ('PodDisruptionBudget.policy "orders-dapr-shared" is invalid: [spec.maxUnavailable: Invalid value: -1: must be '
     'greater than or equal to 0, spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: '
     '"AlwaysAllow", "IfHealthyBudget"]',
     'disruption_budget.max_unavailable, disruption_budget.unhealthy_pod_eviction_policy'),
    ('NetworkPolicy.networking.k8s.io "orders-dapr-shared" is invalid: [spec.ingress[0].from[0].podSelector.'
     'matchLabels: Invalid value: "b c": a valid label must be an empty string, spec.ingress[0].from[0].'
     'namespaceSelector.matchLabels: Invalid value: "Bad NS": a valid label must be an empty string]',
     'network_policy.client_pod_selector, network_policy.client_namespaces'),
    ('failed to create typed patch object (apps/orders-dapr-shared; apps/v1, Kind=DaemonSet): '
     '.spec.template.metadata.annotations.k: expected string, got &value.valueUnstructured{Value:1}', 'annotations'),
    ('DaemonSet.apps "orders-dapr-shared" is invalid: spec.template.spec.containers[0].image: Required value',
     'daprd_image'),
    # a path no field declares names no field: never a wrong one (metadata.annotations is not a prefix of it)
    ('PodDisruptionBudget.policy "orders-dapr-shared" is invalid: spec.selector: Invalid value: '
     '"metadata.annotations"', None),
    ('Service "orders-dapr" is invalid: spec.ports[3].port: Invalid value: 0', None),
]


@pytest.mark.parametrize('message,fields', REJECTIONS)
def test_a_rejection_names_the_fields_under_its_paths(message, fields):
    assert SC.field_of_rejection(message) == fields
