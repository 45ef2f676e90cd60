"""Every schema field is consumed by each backend or refused by it with a reason.

For each field (and sub-field), an instance with the field's sample value must render differently
from the default instance: for manifests, the applied objects; for helm, the chart values plus the
post-render plan (what Helm installs); for both, what the module applies into the apps of `apps`.
A field that changes nothing is dropped silently: this fails.
"""
import copy
import json

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


def _outputs(raw, method):
    raw = dict(raw, method=method)
    instance = SC.apply_defaults(raw)
    assert V.validate_instance(instance) == [], V.validate_instance(instance)
    # the runner reads the control plane of control_plane_namespace; here it is given
    cp = ControlPlane(instance['control_plane_namespace'] or 'dapr-system', instance['control_plane_trust_domain'] or 'cluster.local', 'CERT',
                      instance['mtls'] != 'disabled', '1.18.2')
    tokens = dict(api_token=(instance['api_token']['value'] or None, 'h'),
                  app_token=(instance['app_token']['value'] or None, 'h'))
    if instance['api_token']['value'] == '' and not instance['api_token']['secret_name']:
        tokens['api_token'] = ('generated-token-value-' + 'x' * 20, 'h')
    objects = render_instance(instance, cp, instance['daprd_version'] or '1.18.2', tokens)
    # what the module applies into the apps' workloads, for both backends (the runner's apply step)
    want = W.expected(instance, 'h')
    wiring = [W.patch(app['kind'], W.app_namespace(instance, app), app['name'], app['containers'] or APP_CONTAINERS,
                      want) for app in instance['apps']]
    if method == 'manifests':
        return json.dumps([objects, wiring], sort_keys=True)
    release = _helm.release(instance, cp, instance['daprd_version'] or '1.18.2', objects, CHART)
    return json.dumps([release, wiring], sort_keys=True)


# mappings are covered through their sub-fields; a list of mappings (apps) both itself and through them
FIELDS = [(name, field) for name, field in SC.walk()
          if name not in NOT_RENDERED and not (field.options and field.type == 'dict')]


@pytest.mark.parametrize('method', SC.METHODS)
@pytest.mark.parametrize('name,field', FIELDS, ids=[n for n, _f in FIELDS])
def test_every_field_changes_what_each_backend_installs(name, field, method):
    if method == 'helm' and field.helm:
        pytest.skip('refused by the helm backend: %s' % field.helm)
    assert field.sample is not None and field.sample != field.default, '%s needs a sample value' % name
    extra = NEEDS.get(name, {})
    if name == 'network_policy.monitoring_namespaces':
        extra = dict(metrics=dict(enabled=True))
    if name.startswith('network_policy.') and name != 'network_policy.enabled':
        extra = dict(extra, network_policy=dict(enabled=True))
    base = _base(extra)
    changed = copy.deepcopy(base)
    _set(changed, name, copy.deepcopy(field.sample))
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
