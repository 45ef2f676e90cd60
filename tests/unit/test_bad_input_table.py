"""Bad input, table-driven: each case is refused by validation with a message naming the instance and the
field (the cluster side, nothing changed before and after, is molecule's security scenario)."""
import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V

# (case, instance fields, field the message must name)
CASES = [
    ('app id uppercase', dict(app_id='Orders'), 'app_id'),
    ('app id underscore', dict(app_id='a_b'), 'app_id'),
    ('app id too long', dict(app_id='a' * 59), 'app_id'),
    ('app id leading dash', dict(app_id='-a'), 'app_id'),
    ('app id not a string', dict(app_id=7), 'app_id'),
    ('namespace uppercase', dict(namespace='Apps'), 'namespace'),
    ('namespace with dot', dict(namespace='a.b'), 'namespace'),
    ('state unknown', dict(state='gone'), 'state'),
    ('method case variant', dict(method='Helm'), 'method'),
    ('strategy case variant', dict(strategy='DaemonSet'), 'strategy'),
    ('strategy unknown', dict(strategy='statefulset'), 'strategy'),
    ('replicas zero', dict(strategy='deployment', replicas=0), 'replicas'),
    ('replicas string', dict(strategy='deployment', replicas='2'), 'replicas'),
    ('replicas with daemonset', dict(replicas=3), 'replicas'),
    ('remote port too big', dict(remote_host='h', remote_port=70000), 'remote_port'),
    ('remote port negative', dict(remote_host='h', remote_port=-1), 'remote_port'),
    ('remote port bool', dict(remote_host='h', remote_port=True), 'remote_port'),
    ('remote host with scheme', dict(remote_host='http://h', remote_port=80), 'remote_host'),
    ('remote host with port', dict(remote_host='h:80', remote_port=80), 'remote_host'),
    ('port without host', dict(remote_port=80), 'remote_host'),
    ('app protocol case variant', dict(app_protocol='HTTP'), 'app_protocol'),
    ('image with tag', dict(daprd_image='ghcr.io/dapr/daprd:1.18.2'), 'daprd_image'),
    ('image with digest', dict(daprd_image='ghcr.io/dapr/daprd@sha256:00'), 'daprd_image'),
    ('version not semver', dict(daprd_version='latest'), 'daprd_version'),
    ('pull policy case variant', dict(image_pull_policy='always'), 'image_pull_policy'),
    ('pull secret bad name', dict(image_pull_secrets=['Bad Name']), 'image_pull_secrets'),
    ('pull secrets not a list', dict(image_pull_secrets='regcred'), 'image_pull_secrets'),
    ('control plane namespace bad', dict(control_plane_namespace='Dapr_System'), 'control_plane_namespace'),
    ('cluster domain bad', dict(cluster_domain='-x-'), 'cluster_domain'),
    ('sentry address with scheme', dict(sentry_address='https://sentry:443'), 'sentry_address'),
    ('scheduler address without port', dict(scheduler_address='scheduler'), 'scheduler_address'),
    ('mtls unknown', dict(mtls='on'), 'mtls'),
    ('log level case variant', dict(log_level='INFO'), 'log_level'),
    ('log format unknown', dict(log_format='yaml'), 'log_format'),
    ('metrics port collides', dict(metrics=dict(port=3500)), 'metrics.port'),
    ('metrics port out of range', dict(metrics=dict(port=0)), 'metrics.port'),
    ('metrics unknown key', dict(metrics=dict(path='/m')), 'metrics.path'),
    ('config bad name', dict(config='Tracing Config'), 'config'),
    ('app health without channel', dict(app_health=dict(enabled=True)), 'app_health.enabled'),
    ('app health path relative', dict(remote_host='h', remote_port=80, app_health=dict(enabled=True, path='x')),
     'app_health.path'),
    ('api token too short', dict(api_token=dict(value='short')), 'api_token.value'),
    ('api token value and secret', dict(api_token=dict(value='v' * 40, secret_name='s')), 'api_token.value'),
    ('api token secret bad name', dict(api_token=dict(secret_name='Bad_Secret')), 'api_token.secret_name'),
    ('api token secret key bad', dict(api_token=dict(secret_key='a key')), 'api_token.secret_key'),
    ('app token value while disabled', dict(app_token=dict(value='v' * 40)), 'app_token.value'),
    ('app token too short', dict(app_token=dict(enabled=True, value='x')), 'app_token.value'),
    ('token unknown key', dict(api_token=dict(rotate=True)), 'api_token.rotate'),
    ('policy client namespace bad', dict(network_policy=dict(client_namespaces=['Bad NS'])),
     'network_policy.client_namespaces'),
    ('policy selector value bad', dict(network_policy=dict(client_pod_selector={'app': 'a b'})),
     'network_policy.client_pod_selector'),
    ('policy clients while disabled', dict(network_policy=dict(enabled=False, client_namespaces=['x'])),
     'network_policy'),
    ('monitoring without metrics', dict(metrics=dict(enabled=False), network_policy=dict(monitoring_namespaces=['m'])),
     'network_policy.monitoring_namespaces'),
    ('node selector key bad', dict(node_selector={'bad key': 'x'}), 'node_selector'),
    ('node selector not a mapping', dict(node_selector=['a']), 'node_selector'),
    ('toleration operator bad', dict(tolerations=[dict(key='k', operator='In')]), 'tolerations[0].operator'),
    ('toleration effect bad', dict(tolerations=[dict(key='k', operator='Exists', effect='NoWay')]),
     'tolerations[0].effect'),
    ('toleration unknown key', dict(tolerations=[dict(key='k', operator='Exists', values=['x'])]), 'tolerations[0]'),
    ('toleration Exists with value', dict(tolerations=[dict(key='k', operator='Exists', value='v')]),
     'tolerations[0].value'),
    ('tolerations not dicts', dict(tolerations=['k']), 'tolerations'),
    ('affinity unknown key', dict(affinity=dict(nodeAfinity={})), 'affinity'),
    ('resources bad quantity', dict(resources=dict(limits=dict(memory='12 apples'))), 'resources.limits.memory'),
    ('resources unknown section', dict(resources=dict(limit=dict(cpu='1'))), 'resources'),
    ('resources quantity bool', dict(resources=dict(requests=dict(cpu=True))), 'resources.requests.cpu'),
    ('priority class bad name', dict(priority_class_name='High Priority'), 'priority_class_name'),
    ('label value too long', dict(labels={'team': 'x' * 64}), 'labels'),
    ('annotation key bad', dict(annotations={'bad key': 'x'}), 'annotations'),
    ('rollout both zero', dict(rollout=dict(max_unavailable=0, max_surge=0)), 'rollout.max_unavailable'),
    ('rollout negative surge', dict(rollout=dict(max_surge=-1)), 'rollout.max_surge'),
    ('graceful shutdown negative', dict(rollout=dict(graceful_shutdown_seconds=-5)), 'rollout.graceful_shutdown_seconds'),
    ('rollout string', dict(rollout=dict(pre_stop_seconds='5s')), 'rollout.pre_stop_seconds'),
    ('budget zero', dict(strategy='deployment', disruption_budget=dict(max_unavailable=0)),
     'disruption_budget.max_unavailable'),
    ('topology spread string', dict(topology_spread='yes'), 'topology_spread'),
    ('budget eviction policy unknown', dict(strategy='deployment', disruption_budget=dict(
        unhealthy_pod_eviction_policy='Always')), 'disruption_budget.unhealthy_pod_eviction_policy'),
    ('peer namespace bad', dict(network_policy=dict(peer_namespaces=['Bad_NS'])), 'network_policy.peer_namespaces'),
    ('peers while disabled', dict(network_policy=dict(enabled=False, peer_namespaces=['x'])), 'network_policy'),
    ('unknown field', dict(remote_url='x'), 'remote_url'),
    ('app health interval zero', dict(app_health=dict(probe_interval=0)), 'app_health.probe_interval'),
    ('app health timeout negative', dict(app_health=dict(probe_timeout=-1)), 'app_health.probe_timeout'),
    ('resources section not a mapping', dict(resources=dict(limits='1')), 'resources.limits'),
    ('pod selector key bad', dict(network_policy=dict(client_pod_selector={'bad key': 'x'})),
     'network_policy.client_pod_selector'),
    ('monitoring namespace bad', dict(metrics=dict(enabled=True), network_policy=dict(monitoring_namespaces=['A'])),
     'network_policy.monitoring_namespaces'),
    ('app token secret key bad', dict(app_token=dict(enabled=True, secret_name='s', secret_key='a/b')),
     'app_token.secret_key'),
]


@pytest.mark.parametrize('fields,field', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_naming_instance_and_field(fields, field):
    raw = dict(app_id='orders', namespace='apps')
    raw.update(fields)
    found = V.validate_instance(SC.apply_defaults(raw))
    assert found, 'accepted: %r' % fields
    where = 'instance %s/%s' % (raw['namespace'], raw['app_id'])
    assert any(p.startswith(where) and field in p for p in found), found


def test_the_table_is_wide():
    assert len(CASES) >= 40


def test_duplicates_across_backends_are_refused():
    found = V.validate_instances([SC.apply_defaults(dict(app_id='a', namespace='n', method='helm')),
                                  SC.apply_defaults(dict(app_id='a', namespace='n'))])
    assert any('instance n/a: duplicate app_id in namespace n' in p for p in found), found


def test_each_fields_problems_and_the_rules_across_fields_are_reported_together():
    found = V.validate_instance(SC.apply_defaults(dict(app_id='orders', namespace='apps', replicas=3,
                                                       metrics=dict(port=3500), rollout=dict(max_surge=0))))
    assert found == [
        'instance apps/orders: metrics.port 3500 collides with a daprd port (3500, 3501, 50001, 50002)',
        'instance apps/orders: replicas applies only to strategy deployment (a daemonset runs one per node); '
        'remove it or set strategy: deployment',
        'instance apps/orders: rollout.max_unavailable and rollout.max_surge cannot both be 0 (the rollout could '
        'never start)'], found
