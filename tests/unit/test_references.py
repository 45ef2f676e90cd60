"""What an instance names and expects to exist (_references), checked against a fake reader; the wait's causes it
cannot cure (_waiter predicates, KubeService.wait_ready over a fake dynamic client). Pure logic only: that the API
server answers as these fakes do is proven by the refusal table of molecule/manifests_deployment on kind."""
import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _references as R
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _service
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter as W
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, InvalidInstance

from test_module_orchestration import FakeService, fake_control_plane, run
from test_service_unreachable import ClusterOfLists


@pytest.fixture(autouse=True)
def _control_plane(monkeypatch):
    monkeypatch.setattr('ansible_collections.daprkit.dapr.plugins.module_utils._control_plane.read', fake_control_plane)


def instance(**fields):
    return SC.apply_defaults(dict(dict(app_id='orders', namespace='apps'), **fields))


class Reader(object):
    """get() over a set of existing (kind, namespace, name); kinds in `forbidden` answer 403. Reads are counted."""

    def __init__(self, existing=(), forbidden=()):
        self.existing, self.forbidden, self.reads = set(existing), set(forbidden), []

    def get(self, api_version, kind, name, namespace=None):
        self.reads.append((kind, namespace, name))
        if kind in self.forbidden:
            raise DaprSharedError('reading %s failed: forbidden' % kind, status=403)
        return {} if (kind, namespace, name) in self.existing else None


def test_every_field_naming_an_object_is_a_reference():
    refs = R.references(instance(config='cfg', priority_class_name='high', image_pull_secrets=['a', 'b'],
                                 control_plane_namespace='dapr-system', api_token=dict(secret_name='tok'),
                                 app_token=dict(enabled=True, secret_name='apptok')))
    assert [(r.field, r.what()) for r in refs] == [
        ('control_plane_namespace', 'Namespace dapr-system'), ('config', 'Configuration apps/cfg'),
        ('priority_class_name', 'PriorityClass high'), ('image_pull_secrets[0]', 'Secret apps/a'),
        ('image_pull_secrets[1]', 'Secret apps/b'), ('api_token.secret_name', 'Secret apps/tok'),
        ('app_token.secret_name', 'Secret apps/apptok')]


def test_what_the_module_creates_or_does_not_use_is_no_reference():
    assert R.references(instance()) == [], 'generated token Secrets are created, the control plane detected'
    assert R.references(instance(config='cfg', state='absent')) == []
    assert R.references(instance(app_token=dict(enabled=False))) == []


def test_a_missing_object_is_refused_naming_instance_field_and_object():
    problems, warnings = R.check([('instance apps/orders', instance(config='cfg', priority_class_name='high'))],
                                 Reader(existing=[('PriorityClass', None, 'high')]))
    assert problems == ['instance apps/orders: config: Configuration apps/cfg does not exist; create it first, or '
                        'correct or remove config'] and warnings == []


def test_an_unreadable_object_is_a_warning_naming_the_right():
    problems, warnings = R.check([('instance apps/orders', instance(priority_class_name='high'))],
                                 Reader(forbidden=['PriorityClass']))
    assert problems == []
    assert warnings == ['instance apps/orders: priority_class_name: cannot check that PriorityClass high exists: this '
                        'run lacks the right get priorityclasses.scheduling.k8s.io (cluster-scoped: a ClusterRole); '
                        'going on without the check']


def test_the_control_plane_namespace_is_proven_by_its_trust_bundle_when_it_may_not_be_read():
    ns = instance(control_plane_namespace='dapr-system')
    assert R.check([('i', ns)], Reader(existing=[('ConfigMap', 'dapr-system', S.TRUST_BUNDLE)],
                                       forbidden=['Namespace'])) == ([], [])
    problems, warnings = R.check([('i', ns)], Reader(forbidden=['Namespace']))
    assert problems == [] and 'lacks the right get namespaces/dapr-system' in warnings[0]
    problems, warnings = R.check([('i', ns)], Reader())
    assert 'control_plane_namespace: Namespace dapr-system does not exist' in problems[0]


def test_an_object_named_by_several_instances_is_read_once():
    reader = Reader()
    problems, _w = R.check([('a', instance(priority_class_name='high')),
                            ('b', instance(app_id='other', priority_class_name='high'))], reader)
    assert reader.reads == [('PriorityClass', None, 'high')]
    assert [p.split(':')[0] for p in problems] == ['a', 'b']


def test_other_errors_are_raised():
    class Broken(Reader):
        def get(self, *args):
            raise DaprSharedError('reading failed: boom', status=500)
    with pytest.raises(DaprSharedError, match='boom'):
        R.check([('i', instance(config='cfg'))], Broken())


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('method', ['manifests', 'helm'])
def test_the_runner_refuses_before_any_change(check_mode, method):
    store = {}
    service = FakeService(store, check_mode)
    with pytest.raises(InvalidInstance) as err:
        run(store, check_mode=check_mode, service=service, method=method, priority_class_name='high',
            image_pull_secrets=['pull'])
    assert err.value.problems == [
        'instance apps/orders: priority_class_name: PriorityClass high does not exist; create it first, or correct '
        'or remove priority_class_name',
        'instance apps/orders: image_pull_secrets[0]: Secret apps/pull does not exist; create it first, or correct '
        'or remove image_pull_secrets[0]']
    assert store == {} and service.applied == [] and service.deleted == []


def test_the_runner_warns_and_goes_on_when_it_may_not_read_a_reference():
    class NoClusterReads(FakeService):
        def get(self, api, kind, name, ns=None):
            if kind == 'PriorityClass':
                raise DaprSharedError('forbidden', status=403)
            return FakeService.get(self, api, kind, name, ns)
    store = {}
    result, _svc, module = run(store, service=NoClusterReads(store), priority_class_name='high')
    assert result['changed']
    assert [w for w in module.warnings if 'priority_class_name' in w] == [
        'instance apps/orders: priority_class_name: cannot check that PriorityClass high exists: this run lacks the '
        'right get priorityclasses.scheduling.k8s.io (cluster-scoped: a ClusterRole); going on without the check']


# -- the wait --------------------------------------------------------------------------------------------------

def daemonset(desired, current=None, node_selector=None, uid='u1', image='daprd:1'):
    spec = dict(containers=[dict(name='daprd', image=image)])
    if node_selector:
        spec['nodeSelector'] = node_selector
    return dict(apiVersion='apps/v1', kind='DaemonSet',
                metadata=dict(name='orders-dapr-shared', namespace='ns', generation=1, uid=uid,
                              labels={S.LABEL_INSTANCE: 'orders'}),
                spec=dict(template=dict(spec=spec)),
                status=dict(observedGeneration=1, desiredNumberScheduled=desired,
                            currentNumberScheduled=desired if current is None else current,
                            updatedNumberScheduled=desired if current is None else current))


def pod(name='p1', image='daprd:1', waiting=None, restarts=0, last=None):
    status = dict(restartCount=restarts, name='daprd', state=dict(waiting=waiting) if waiting else {})
    if last:
        status['lastState'] = dict(terminated=last)
    return dict(apiVersion='v1', kind='Pod', metadata=dict(name=name, namespace='ns', labels=S.selector_labels('orders')),
                spec=dict(nodeName='w1', containers=[dict(name='daprd', image=image)]),
                status=dict(containerStatuses=[status], conditions=[dict(type='Ready', status='False')]))


def test_a_daemonset_on_no_node_runs_nowhere_and_names_the_fields_that_place_it():
    assert W.runs_nowhere(daemonset(0)) and not W.runs_nowhere(daemonset(3))
    unseen = daemonset(0)
    unseen['status']['observedGeneration'] = 0
    assert not W.runs_nowhere(unseen), 'not yet seen by the controller: no verdict'
    assert W.node_fields(daemonset(0, node_selector={'pool': 'x'})) == ['node_selector']
    assert W.node_fields(daemonset(0)) == ['tolerations']


def test_replica_failure_and_pull_failures_of_the_current_template_only():
    deploy = dict(kind='Deployment', status=dict(conditions=[dict(type='ReplicaFailure', status='True',
                                                                  reason='FailedCreate', message='exceeded quota')]))
    assert W.replica_failure(deploy) == 'FailedCreate: exceeded quota'
    assert W.replica_failure(dict(kind='Deployment', status={})) is None
    pulling = pod(waiting=dict(reason='ImagePullBackOff', message='not found'))
    assert W.pull_failures(daemonset(1), [pulling]) == ['p1: daprd daprd:1: ImagePullBackOff not found']
    assert W.pull_failures(daemonset(1, image='daprd:2'), [pulling]) == [], 'an old pod\'s image is not the cause'
    ended = pod(last=dict(exitCode=1, reason='Error', message='error loading configuration\n'))
    assert W.last_termination(ended) == 'p1 daprd exited 1 (Error): error loading configuration'


def clock():
    ticks = [0.0]

    def sleep(seconds):
        ticks[0] += seconds
    return sleep, lambda: ticks[0]


def wait(objects, workload, timeout=300, **kwargs):
    sleep, now = clock()
    kube = _service.KubeService(ClusterOfLists(objects), sleep=sleep, clock=now)
    try:
        return kube.wait_ready([(workload, S.selector_labels('orders'))], timeout, **kwargs), now()
    except DaprSharedError as exc:
        return exc, now()


def test_the_wait_fails_at_once_on_a_daemonset_that_runs_nowhere_unless_allowed():
    ds = daemonset(0, node_selector={'pool': 'none'})
    error, elapsed = wait([ds], ds)
    assert isinstance(error, DaprSharedError) and elapsed == 0
    assert str(error).startswith('instance ns/orders: node_selector: DaemonSet ns/orders-dapr-shared runs on no node')
    assert 'allow_no_nodes: true' in str(error)
    summaries, _elapsed = wait([ds], ds, may_run_nowhere=[True])
    assert summaries[0]['ready'] and summaries[0]['desired'] == 0


def test_the_wait_names_a_failed_create_event_after_two_rounds_of_missing_pods():
    ds = daemonset(3, current=0)
    event = dict(kind='Event', metadata=dict(name='e', namespace='ns'), reason='FailedCreate',
                 involvedObject=dict(uid='u1'), lastTimestamp='2026-12-05T00:00:00Z',
                 message='pods "x" is forbidden: exceeded quota: no-pods')
    ds['metadata']['managedFields'] = [dict(manager='daemon-set-controller', time='2026-12-05T00:00:00Z')]
    error, elapsed = wait([ds, event], ds)
    assert isinstance(error, DaprSharedError) and elapsed <= 2
    assert 'cannot create its pods: FailedCreate: pods "x" is forbidden: exceeded quota' in str(error)
    ds['metadata']['managedFields'].append(dict(manager='daprkit.dapr', time='2026-12-05T00:00:01Z'))
    error, elapsed = wait([ds, event], ds, timeout=10)
    assert 'timed out after 10s' in str(error), 'an event older than the last change of the DaemonSet is history'


def test_the_wait_names_an_image_that_cannot_be_pulled_and_a_crash_with_its_last_end():
    ds = daemonset(1, current=1)
    error, _e = wait([ds, pod(waiting=dict(reason='ErrImagePull', message='manifest unknown'))], ds)
    assert 'daprd_image, daprd_version: DaemonSet ns/orders-dapr-shared: the image cannot be pulled: p1: daprd ' \
           'daprd:1: ErrImagePull manifest unknown' in str(error)
    crashing = pod(waiting=dict(reason='CrashLoopBackOff'), restarts=2,
                   last=dict(exitCode=1, reason='Error', message='fatal: no configuration'))
    error, elapsed = wait([ds, crashing], ds)
    assert 'daprd keeps crashing in p1; last end: p1 daprd exited 1 (Error): fatal: no configuration' in str(error)
    assert elapsed == 0
