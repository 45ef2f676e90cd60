from ansible_collections.daprkit.dapr.plugins.module_utils._diff import DifferenceTracker, HIDDEN, compare, normalize
from ansible_collections.daprkit.dapr.plugins.module_utils import _waiter as W


def obj(**extra):
    o = dict(apiVersion='v1', kind='ConfigMap', metadata=dict(name='a', namespace='n', labels=dict(x='1')), data=dict(k='v'))
    o.update(extra)
    return o


def server(o, rv='1'):
    s = dict(o, status={})
    s['metadata'] = dict(o['metadata'], resourceVersion=rv, uid='u', managedFields=[{}], creationTimestamp='t')
    return s


def test_server_fields_ignored():
    assert compare(server(obj(), '1'), server(obj(), '2')) == 'unchanged'
    assert compare(None, obj()) == 'created'
    assert compare(server(obj()), server(obj(data=dict(k='w')))) == 'updated'


def test_secret_values_hidden_but_compared():
    a = dict(apiVersion='v1', kind='Secret', metadata=dict(name='s', namespace='n'), data=dict(token='YQ=='))
    b = dict(a, data=dict(token='Yg=='))
    assert normalize(a)['data'] == dict(token=HIDDEN)
    assert compare(a, b) == 'updated' and compare(a, dict(a)) == 'unchanged'
    tracker = DifferenceTracker()
    tracker.record('updated', a, b)
    assert 'YQ==' not in repr(tracker.diff()) and 'Yg==' not in repr(tracker.diff())


def test_tracker_feeds_changed_and_diff():
    t = DifferenceTracker()
    t.record('unchanged', obj(), obj())
    assert not t.changed and t.diff() == dict(before={}, after={})
    t.record('deleted', obj(kind='Service'), None)
    assert t.changed and list(t.diff()['before']) == ['Service n/a'] and t.diff()['after'] == {}


def ds(desired, ready, updated=None, available=None, gen=1, observed=1):
    return dict(kind='DaemonSet', metadata=dict(generation=gen), status=dict(
        desiredNumberScheduled=desired, numberReady=ready, updatedNumberScheduled=desired if updated is None else updated,
        numberAvailable=ready if available is None else available, observedGeneration=observed))


def test_daemonset_readiness():
    assert W.daemonset_ready(ds(3, 3))
    assert W.daemonset_ready(ds(0, 0))  # nothing scheduled is not a hang
    assert not W.daemonset_ready(ds(3, 2))
    assert not W.daemonset_ready(ds(3, 3, updated=2))
    assert not W.daemonset_ready(ds(3, 3, gen=2, observed=1))


def test_deployment_readiness_waits_for_old_replicas():
    dep = dict(kind='Deployment', metadata=dict(generation=2), spec=dict(replicas=2), status=dict(
        observedGeneration=2, updatedReplicas=2, readyReplicas=2, availableReplicas=2, replicas=3))
    assert not W.deployment_ready(dep)
    dep['status']['replicas'] = 2
    assert W.deployment_ready(dep)


def pod(name, node, ready, deleting=False):
    meta = dict(name=name)
    if deleting:
        meta['deletionTimestamp'] = 'now'
    return dict(metadata=meta, spec=dict(nodeName=node),
                status=dict(conditions=[dict(type='Ready', status='True' if ready else 'False')]))


def test_readiness_by_node_skips_terminating():
    nodes = W.readiness_by_node([pod('a', 'w1', True), pod('b', 'w2', False), pod('c', 'w1', True, deleting=True)])
    assert nodes == {'w1': dict(ready=1, total=1, pods=['a']), 'w2': dict(ready=0, total=1, pods=['b'])}


def test_crash_looping_pods_are_reported():
    crashing = dict(metadata=dict(name='c'), status=dict(containerStatuses=[dict(
        restartCount=3, state=dict(waiting=dict(reason='CrashLoopBackOff')))]))
    young = dict(metadata=dict(name='y'), status=dict(containerStatuses=[dict(
        restartCount=1, state=dict(waiting=dict(reason='CrashLoopBackOff')))]))
    assert W.crash_looping([crashing, young, pod('a', 'w1', True)]) == ['c']


def test_rollout_scheduled():
    assert W.rollout_scheduled(ds(3, 0))
    assert not W.rollout_scheduled(ds(3, 0, updated=2))
    assert not W.rollout_scheduled(ds(3, 3, gen=2, observed=1))
