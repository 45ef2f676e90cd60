"""The runner's flow (both backends) against an in-memory fake of KubeService: pure orchestration.
The real API behaviour (dry runs, applies, Helm) is proven by molecule on kind."""
import base64
import copy

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._runner import Runner
from ansible_collections.daprkit.dapr.plugins.modules import dapr_shared

from lease_store import FakeStore

CHART = dict(ref='oci://mirror/dapr-shared-chart', version='0.0.16', plain_http=True)


class FakeModule(object):
    def __init__(self, check_mode=False, **params):
        self.params = dict((k, v.get('default')) for k, v in dapr_shared.argument_spec().items())
        self.params.update(wait=False, wait_timeout=5)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = True
        self.no_log_values = set()
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)


class FakeService(object):
    """Objects in a dict; a 'dry run' returns what an apply would store; rejects what the server would."""

    def __init__(self, store, check_mode=False, reject=None, releases=()):
        self.store, self.check_mode, self.applied, self.deleted = store, check_mode, [], []
        self.reject, self.releases = reject, releases if isinstance(releases, dict) else set(releases)

    def _k(self, api, kind, name, ns):
        return (api, kind, ns or '', name)

    def get(self, api, kind, name, ns=None):
        return copy.deepcopy(self.store.get(self._k(api, kind, name, ns)))

    def list(self, api, kind, namespace=None, label_selector=None, field_selector=None):
        return []

    def namespace_exists(self, ns):
        return ns != 'missing'

    def lease_store(self):
        if not hasattr(self, 'leases'):
            self.leases = FakeStore()
        return self.leases

    def helm_release(self, ns, release, kind='Secret'):
        self.storage_kinds = getattr(self, 'storage_kinds', set()) | set([kind])
        if isinstance(self.releases, dict):
            return self.releases.get((ns, release))
        return dict(status='deployed') if (ns, release) in self.releases else None

    def read_secret_value(self, ns, name, key):
        s = self.store.get(self._k('v1', 'Secret', name, ns))
        return base64.b64decode(s['data'][key]).decode() if s else None

    def managed_objects(self, ns):
        return [copy.deepcopy(o) for o in self.store.values()
                if o['metadata'].get('namespace') == ns
                and o['metadata'].get('labels', {}).get(S.LABEL_MANAGED_BY) == S.MANAGED_BY]

    def apply(self, obj, dry_run=False):
        if self.reject and self.reject[0] == obj['kind']:
            raise DaprSharedError('applying %s failed: %s' % (obj['kind'], self.reject[1]))
        if not (self.check_mode or dry_run):
            self.applied.append(obj['kind'])
            self.store[self._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'],
                               obj['metadata'].get('namespace'))] = copy.deepcopy(obj)
        return copy.deepcopy(obj)

    def delete(self, obj):
        self.deleted.append(obj['kind'])
        if not self.check_mode:
            self.store.pop(self._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace']), None)

    def readiness_of(self, workloads):
        return [(dict(ready=False), None, []) for _w in workloads]

    def wait_gone(self, objects, timeout):
        return True

    def wait_pods_gone(self, selectors, timeout):
        self.pods_awaited = selectors


class FakeHelm(object):
    """The helm host: found, checked, prepared; what it was asked is kept. With a service, an upgrade puts the
    release's objects (as the post-renderer makes them) in its store, and an uninstall takes them away."""

    def __init__(self, kind='Secret', service=None):
        self.kind, self.prepared, self.rollbacks, self.uninstalls, self.upgrades = kind, 0, [], [], []
        self.service = service

    def uninstall(self, params, release, namespace, timeout):
        self.uninstalls.append((namespace, release))
        if self.service is not None:
            for key in [k for k, o in self.service.store.items() if (o['metadata'].get('labels') or {}).get(
                    S.LABEL_MANAGED_BY) == S.HELM_MANAGED_BY and k[2] == namespace]:
                del self.service.store[key]
            if isinstance(self.service.releases, dict):
                self.service.releases.pop((namespace, release), None)
            else:
                self.service.releases.discard((namespace, release))

    def upgrade(self, params, key, release):
        self.upgrades.append((key, release))

    def storage_kind(self):
        return self.kind

    def check(self):
        return dict(binary='/usr/bin/helm', version='v3.22.0', major=3, post_renderer='path')

    def prepare(self, params):
        self.prepared += 1
        return dict(self.check(), helm='/tmp/t/daprkit-helm/helm', kubeconfig='/tmp/t/daprkit-helm/kubeconfig',
                    plugins='/tmp/t/daprkit-helm-plugins')

    def rollback(self, params, release, namespace, revision):
        self.rollbacks.append((namespace, release, revision))


def fake_control_plane(service, namespace=''):
    return ControlPlane('dapr-system', 'cluster.local', 'CERT', True, '1.18.2')


@pytest.fixture(autouse=True)
def _control_plane(monkeypatch):
    monkeypatch.setattr('ansible_collections.daprkit.dapr.plugins.module_utils._control_plane.read', fake_control_plane)


def run(store, check_mode=False, service=None, helm=None, **params):
    if 'instances' not in params:
        params.setdefault('app_id', 'orders')
        params.setdefault('namespace', 'apps')
    module = FakeModule(check_mode=check_mode, **params)
    svc = service or FakeService(store, check_mode)
    return Runner(module, svc, CHART, helm or FakeHelm()).run(), svc, module


def test_install_then_idempotent_then_check_mode():
    store = {}
    first, svc, module = run(store)
    assert first['changed'] and {o['action'] for o in first['objects']} == {'created'}
    assert 'helm' not in first['instances'][0] and 'complete' not in first
    token = list(module.no_log_values)
    assert token and token[0] not in repr(first)
    second, svc, unused = run(store)
    assert not second['changed'], second['objects']
    assert svc.applied == [], 'a no-op run applies nothing: the dry runs showed no difference'
    third, svc, unused = run(store, check_mode=True, strategy='deployment')
    assert third['changed'] and 'DaemonSet' in svc.deleted
    assert any(k[1] == 'DaemonSet' for k in store), 'check mode must not change the store'


def test_switch_strategy_prunes_old_workload():
    store = {}
    run(store)
    result, svc, unused = run(store, strategy='deployment')
    kinds = sorted(k[1] for k in store)
    assert 'DaemonSet' not in kinds and 'Deployment' in kinds
    assert dict(object='DaemonSet apps/orders-dapr-shared', action='deleted') in result['objects']


def test_foreign_service_refused_before_any_change():
    store = {('v1', 'Service', 'apps', 'orders-dapr'): dict(
        apiVersion='v1', kind='Service', metadata=dict(name='orders-dapr', namespace='apps', labels={}))}
    with pytest.raises(DaprSharedError, match='Service apps/orders-dapr already exists and it was not created by'):
        run(store)
    assert len(store) == 1


def test_server_rejection_names_instance_and_field_and_changes_nothing():
    store = {}
    svc = FakeService(store, reject=('DaemonSet', 'DaemonSet.apps "orders-dapr-shared" is invalid: '
                                     'spec.template.spec.containers[0].resources.limits.memory: Invalid value'))
    with pytest.raises(InvalidInstance) as err:
        run(store, service=svc, resources=dict(limits=dict(memory='12')))
    assert 'instance apps/orders: resources: the API server refuses DaemonSet apps/orders-dapr-shared' in err.value.msg
    assert store == {} and svc.applied == [], 'nothing may be applied when any object is refused'


def test_one_bad_instance_stops_the_whole_list_before_any_change():
    store = {}
    svc = FakeService(store, reject=('Deployment', 'spec.template.spec.tolerations[0].effect: Unsupported value'))
    with pytest.raises(InvalidInstance, match='instance apps/b: tolerations'):
        run(store, service=svc, instances=[dict(app_id='a', namespace='apps'),
                                           dict(app_id='b', namespace='apps', strategy='deployment')])
    assert store == {}


def test_invalid_input_fails_before_any_read():
    svc = FakeService({})
    svc.namespace_exists = None  # any cluster call would fail
    with pytest.raises(InvalidInstance, match='app_id must be a DNS-1123 label'):
        run({}, service=svc, app_id='Bad_Id')


def test_list_reports_every_problem_at_once():
    with pytest.raises(InvalidInstance) as err:
        run({}, instances=[dict(app_id='a', replicas=2), dict(app_id='a', log_level='INFO')])
    text = err.value.msg
    assert 'replicas applies only to strategy deployment' in text and "log_level must be one of" in text
    assert 'duplicate app_id in namespace default' in text


def test_token_kept_and_rotated():
    store = {}
    run(store)
    secret = [o for o in store.values() if o['kind'] == 'Secret'][0]
    run(store)
    assert [o for o in store.values() if o['kind'] == 'Secret'][0]['data'] == secret['data']
    rotated = run(store, api_token=dict(enabled=True, value='r' * 40, secret_name='', secret_key='token'))[0]
    actions = dict((o['object'], o['action']) for o in rotated['objects'])
    assert actions['Secret apps/orders-dapr-api-token'] == 'updated' and actions['DaemonSet apps/orders-dapr-shared'] == 'updated'


def test_turning_the_token_on_in_place_warns_that_clients_need_it_first():
    store = {}
    off = dict(enabled=False, value='', secret_name='', secret_key='token')
    module = run(store, api_token=off)[2]
    assert not [w for w in module.warnings if 'turns the token on' in w], 'a new instance has no clients to break'
    module = run(store)[2]
    assert [w for w in module.warnings if 'turns the token on' in w and 'secret_name' in w]
    module = run(store)[2]
    assert not [w for w in module.warnings if 'turns the token on' in w], 'the token was on already'
    module = run(store, api_token=off)[2]
    assert not [w for w in module.warnings if 'turns the token on' in w], 'turning it off costs clients nothing'


def test_remove_deletes_everything_owned():
    store = {}
    run(store)
    result, svc, unused = run(store, state='absent')
    assert store == {} and svc.deleted[0] == 'DaemonSet' and result['changed']


def test_helm_instance_installs_the_release_in_the_same_run_and_keeps_the_token_out_of_it():
    store = {}
    helm = FakeHelm()
    result, svc, module = run(store, method='helm', helm=helm)
    entry = result['instances'][0]
    assert svc.applied == ['Secret'], 'only the token Secret is ours'
    assert dict(object='Helm release apps/orders', action='installed') in entry['objects'] and result['changed']
    assert not [k for k in entry if k.startswith('helm')], 'no internal key in the result'
    (key, release), = helm.upgrades
    assert key == 'apps/orders'
    assert release['args']['name'] == 'orders' and release['args']['chart_ref'] == CHART['ref']
    assert release['args']['plain_http'] is True
    kinds = sorted(o['kind'] for o in release['plan']['objects'])
    assert kinds == ['ConfigMap', 'Configuration', 'DaemonSet', 'NetworkPolicy', 'Service', 'ServiceAccount']
    token = list(module.no_log_values)[0]
    assert token not in repr(release), 'the token must never reach Helm (values or manifests)'
    assert release['args']['release_values']['shared']['daprd']['token'] == ''
    ds = [o for o in release['plan']['objects'] if o['kind'] == 'DaemonSet'][0]
    assert ds['metadata']['name'] == 'orders-dapr-shared-chart'
    assert ds['spec']['selector']['matchLabels'] == S.selector_labels('orders', 'helm')


def test_switch_manifests_to_helm_removes_our_objects_but_keeps_the_token():
    store = {}
    run(store)
    token = [o for o in store.values() if o['kind'] == 'Secret'][0]['data']
    result, svc, unused = run(store, method='helm')
    assert sorted(k[1] for k in store) == ['Secret'] and list(store.values())[0]['data'] == token
    assert 'DaemonSet' in svc.deleted and 'Service' in svc.deleted


def test_switch_helm_to_manifests_asks_for_the_uninstall_first():
    store = {('v1', 'Service', 'apps', 'orders-dapr'): dict(apiVersion='v1', kind='Service', metadata=dict(
        name='orders-dapr', namespace='apps', labels={S.LABEL_MANAGED_BY: 'Helm'},
        annotations={S.ANNOTATION_HELM_RELEASE: 'orders'}))}
    svc = FakeService(store, releases=[('apps', 'orders')])
    helm = FakeHelm(service=svc)
    result, svc, unused = run(store, service=svc, helm=helm)
    entry = result['instances'][0]
    assert helm.uninstalls == [('apps', 'orders')] and not helm.upgrades
    # then, in the same run, read again and applied as manifests
    assert 'DaemonSet' in svc.applied and 'Service' in svc.applied
    assert dict(object='Helm release apps/orders', action='uninstalled') in entry['objects'] and entry['changed']
    assert [o for o in entry['objects'] if o['object'].startswith('DaemonSet') and o['action'] == 'created']


class FailingHelm(FakeHelm):
    def upgrade(self, params, key, release):
        raise DaprSharedError('helm upgrade --install failed (rc 1): Error: forbidden', command='helm upgrade')


def test_a_failed_helm_upgrade_names_the_instance_and_says_what_was_already_done():
    with pytest.raises(DaprSharedError) as err:
        run({}, method='helm', helm=FailingHelm())
    assert err.value.msg == 'instance apps/orders: helm upgrade --install failed (rc 1): Error: forbidden'
    assert err.value.details['changed'] and err.value.details['command'] == 'helm upgrade'
    objects = err.value.details['instances'][0]['objects']
    assert [o['action'] for o in objects if o['object'].startswith('Secret')] == ['created']
    assert not [o for o in objects if o['object'].startswith('Helm release')], 'the release was not installed'


def test_switch_helm_to_manifests_in_check_mode_only_says_so():
    store = {('v1', 'Service', 'apps', 'orders-dapr'): dict(apiVersion='v1', kind='Service', metadata=dict(
        name='orders-dapr', namespace='apps', labels={S.LABEL_MANAGED_BY: 'Helm'},
        annotations={S.ANNOTATION_HELM_RELEASE: 'orders'}))}
    svc = FakeService(store, check_mode=True, releases=[('apps', 'orders')])
    helm = FakeHelm(service=svc)
    result, svc, unused = run(store, check_mode=True, service=svc, helm=helm)
    assert helm.uninstalls == [] and svc.applied == [] and len(store) == 1
    assert dict(object='Helm release apps/orders', action='uninstalled') in result['instances'][0]['objects']


def test_helm_release_of_another_app_is_refused():
    store = {('v1', 'Service', 'apps', 'orders-dapr'): dict(apiVersion='v1', kind='Service', metadata=dict(
        name='orders-dapr', namespace='apps', labels={S.LABEL_MANAGED_BY: 'Helm'},
        annotations={S.ANNOTATION_HELM_RELEASE: 'someone'}))}
    with pytest.raises(DaprSharedError, match='belongs to Helm release someone'):
        run(store, method='helm')


class CountingService(FakeService):
    def __init__(self, store, **kwargs):
        super(CountingService, self).__init__(store, **kwargs)
        self.managed_reads, self.applied_by = [], []

    def managed_objects(self, ns):
        self.managed_reads.append(ns)
        return super(CountingService, self).managed_objects(ns)

    def apply(self, obj, dry_run=False):
        if not dry_run:
            self.applied_by.append((obj['metadata']['labels'][S.LABEL_INSTANCE], obj['kind']))
        return super(CountingService, self).apply(obj, dry_run)


def test_rejections_of_several_instances_are_reported_together():
    store = {}
    svc = FakeService(store, reject=('Deployment', 'spec.template.spec.tolerations[0].effect: Unsupported value'))
    with pytest.raises(InvalidInstance) as err:
        run(store, service=svc, instances=[dict(app_id='a', namespace='apps', strategy='deployment'),
                                           dict(app_id='b', namespace='apps', strategy='deployment')])
    assert [p.split(':')[0] for p in err.value.problems] == ['instance apps/a', 'instance apps/b']
    assert store == {}


def test_workloads_are_applied_after_everything_they_use_and_namespaces_are_read_once():
    store = {}
    instances = [dict(app_id='app%d' % i, namespace='ns%d' % (i % 2)) for i in range(6)]
    svc = CountingService(store)
    result = run(store, service=svc, instances=instances)[0]
    assert all(e['changed'] for e in result['instances'])
    order = svc.applied_by
    for app in ('app%d' % i for i in range(6)):
        mine = [i for i, (who, _k) in enumerate(order) if who == app]
        workload = [i for i in mine if order[i][1] in ('DaemonSet', 'Deployment')]
        assert len(workload) == 1 and workload[0] == max(mine), 'workload after its own objects: %s' % order
    assert sorted(svc.managed_reads) == ['ns0', 'ns1'], 'one read of owned objects per namespace, not per instance'
    # results keep the order of the instances, whatever order the answers came in
    assert [e['app_id'] for e in result['instances']] == [i['app_id'] for i in instances]


class ReadCountingService(FakeService):
    def __init__(self, store, **kwargs):
        super(ReadCountingService, self).__init__(store, **kwargs)
        self.reads = []

    def get(self, api, kind, name, ns=None):
        self.reads.append('get %s %s' % (kind, name))
        return super(ReadCountingService, self).get(api, kind, name, ns)

    def managed_objects(self, ns):
        self.reads.append('list %s' % ns)
        return super(ReadCountingService, self).managed_objects(ns)

    def read_secret_value(self, ns, name, key):
        self.reads.append('token %s' % name)
        return super(ReadCountingService, self).read_secret_value(ns, name, key)


def test_objects_already_listed_or_in_a_new_namespace_are_not_read_one_by_one():
    store = {}
    instances = [dict(app_id='app%d' % i, namespace='missing', strategy='deployment') for i in range(3)]
    svc = ReadCountingService(store)
    first = run(store, service=svc, instances=instances, create_namespaces=True)[0]
    assert first['changed'] and svc.reads == [], 'a namespace this run created is empty: %s' % svc.reads
    svc = ReadCountingService(store)
    svc.namespace_exists = lambda ns: True
    again = run(store, service=svc, instances=instances)[0]
    assert not again['changed'], again['objects']
    assert [r for r in svc.reads if not r.startswith('token ')] == ['list missing'], svc.reads
    # an object the lists miss (not labelled as ours) is still read, and refused
    store[svc._k('v1', 'Service', 'app9-dapr', 'missing')] = dict(
        apiVersion='v1', kind='Service', metadata=dict(name='app9-dapr', namespace='missing', labels={}))
    with pytest.raises(DaprSharedError, match='refusing to take it over'):
        run(store, service=svc, instances=[dict(app_id='app9', namespace='missing')])
    assert 'get Service app9-dapr' in svc.reads


def test_missing_namespace_is_created_first_only_when_asked_and_only_reported_in_check_mode():
    with pytest.raises(DaprSharedError, match='namespace: missing does not exist; create it first or set create_nam'):
        run({}, namespace='missing')
    store = {}
    planned, svc, unused = run(store, check_mode=True, namespace='missing', create_namespaces=True)
    assert dict(object='Namespace missing', action='created') in planned['objects'] and store == {}
    done, svc, unused = run(store, namespace='missing', create_namespaces=True)
    assert svc.applied[0] == 'Namespace' and 'DaemonSet' in svc.applied
    assert dict(object='Namespace missing', action='created') in done['objects']


class MergingService(FakeService):
    """Dry runs answer as server-side apply does: fields another manager (Helm) owns stay on the object."""

    def apply(self, obj, dry_run=False):
        answer = super(MergingService, self).apply(obj, dry_run)
        current = self.store.get(self._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'],
                                         obj['metadata'].get('namespace'))) or {}
        answer['metadata'].setdefault('annotations', {}).update((current.get('metadata') or {}).get('annotations') or {})
        return answer


def test_helm_release_already_as_wanted_runs_no_helm():
    store = {}
    helm = FakeHelm()
    first, svc, unused = run(store, method='helm', helm=helm)
    (_key, release), = helm.upgrades
    for obj in release['plan']['objects']:  # what Helm would have installed through the post-renderer
        obj = dict((k, v) for k, v in obj.items() if k != '_from_chart')
        obj['metadata'].setdefault('annotations', {})[S.ANNOTATION_HELM_RELEASE] = 'orders'
        store[svc._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace'])] = obj
    deployed = dict(status='deployed', chart_name='dapr-shared-chart', chart_version=release['args']['chart_version'],
                    values=copy.deepcopy(release['args']['release_values']))
    helm = FakeHelm()
    again, svc, unused = run(store, method='helm', helm=helm,
                             service=MergingService(store, releases={('apps', 'orders'): deployed}))
    entry = again['instances'][0]
    assert not helm.upgrades and not again['changed'], entry['objects']
    assert dict(object='Helm release apps/orders', action='unchanged') in entry['objects']
    for status, values in (('failed', deployed['values']), ('deployed', dict(deployed['values'], extra=1))):
        other = dict(deployed, status=status, values=values)
        helm = FakeHelm()
        upgraded, svc, unused = run(store, method='helm', helm=helm,
                                    service=MergingService(store, releases={('apps', 'orders'): other}))
        assert helm.upgrades and dict(object='Helm release apps/orders', action='upgraded') in \
            upgraded['instances'][0]['objects'], (status, 'must go to Helm')


def test_waiting_on_a_removal_waits_until_its_pods_stopped():
    svc = FakeService({}, releases=[('apps', 'orders')])
    module = FakeModule(app_id='orders', namespace='apps', method='helm', state='absent', wait=True)
    helm = FakeHelm(service=svc)
    Runner(module, svc, CHART, helm).run()
    assert helm.uninstalls == [('apps', 'orders')]
    assert sorted(svc.pods_awaited) == [
        ('apps', 'app.kubernetes.io/instance=orders,app.kubernetes.io/name=dapr-shared'),
        ('apps', 'app.kubernetes.io/instance=orders,app.kubernetes.io/name=dapr-shared-chart')]


def test_a_run_holds_a_lease_per_namespace_and_leaves_none_behind():
    svc = FakeService({})
    seen = []
    applied = svc.apply

    def apply(obj, dry_run=False):
        seen.append(sorted((ns, lease['spec']['holderIdentity'] != '') for ns, lease in svc.lease_store().leases.items()))
        return applied(obj, dry_run)
    svc.apply = apply
    run({}, service=svc)
    assert seen and all(held == [('apps', True)] for held in seen), 'every apply happens under the Lease'
    assert svc.lease_store().leases == {}, 'released at the end'


def test_a_namespace_another_run_holds_fails_naming_the_holder_before_any_read_or_change():
    from ansible_collections.daprkit.dapr.plugins.module_utils import _lease as L
    import datetime
    svc = FakeService({})
    now = datetime.datetime.now(datetime.timezone.utc)
    svc.lease_store().create('apps', L.lease_body('apps', 'awx-job-42', now))
    with pytest.raises(DaprSharedError, match='namespace apps is being changed by another run.*held by awx-job-42'):
        run({}, service=svc, lease_wait_timeout=0)
    assert svc.applied == []


def test_check_mode_takes_no_lease():
    svc = FakeService({}, check_mode=True)
    svc.lease_store().create('apps', {'metadata': {'name': 'x'}, 'spec': {'holderIdentity': 'someone else'}})
    result, unused, unused2 = run({}, check_mode=True, service=svc)
    assert result['changed']
