"""KubeService against fakes of the dynamic client: clear errors, waits that ride out an outage, batched reads.

Fakes stand for the kubernetes library's dynamic client only; what is tested is our handling of it.
"""
import pytest
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S, _service
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError


def refused():
    return MaxRetryError(None, '/api/v1/namespaces/x', NewConnectionError(None, 'Connection refused'))


class FlakyResource(object):
    """Answers like the dynamic client's Resource; fails with a transport error while `outage` is positive."""

    def __init__(self, outage):
        self.outage = outage
        self.calls = 0

    def get(self, **_kwargs):
        self.calls += 1
        if self.outage > 0:
            self.outage -= 1
            raise refused()
        return Answer({'items': [], 'metadata': {'name': 'x'}})

    def server_side_apply(self, **_kwargs):
        raise refused()


class ApiAnswer(Exception):
    def __init__(self, status, body):
        super(ApiAnswer, self).__init__(body)
        self.status, self.body, self.reason, self.headers = status, body, body, {}


class Answer(object):
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return self.data


class FakeDyn(object):
    def __init__(self, resource):
        self.resources = self
        self._resource = resource

    def get(self, **_kwargs):
        return self._resource


def service(resource, clock=None):
    ticks = [0.0]

    def sleep(seconds):
        ticks[0] += seconds
    return _service.KubeService(FakeDyn(resource), sleep=sleep, clock=clock or (lambda: ticks[0]))


def test_apply_while_unreachable_names_the_object_and_what_to_do():
    kube = service(FlakyResource(outage=0))
    obj = dict(apiVersion='v1', kind='ConfigMap', metadata=dict(name='a-dapr-trust-anchors', namespace='ns'))
    with pytest.raises(_service.ApiUnreachable) as err:
        kube.apply(obj)
    msg = str(err.value)
    assert 'applying ConfigMap ns/a-dapr-trust-anchors failed' in msg
    assert 'did not answer' in msg and 'Connection refused' in msg and 'run again' in msg


def test_wait_rides_out_a_short_outage():
    resource = FlakyResource(outage=3)
    kube = service(resource)
    assert kube.poll('x', lambda: kube.get('v1', 'ConfigMap', 'x', 'ns'), timeout=60) == {'items': [], 'metadata': {'name': 'x'}}
    assert resource.calls == 4


def test_wait_gives_up_at_its_deadline_with_the_transport_error():
    kube = service(FlakyResource(outage=1000))
    with pytest.raises(_service.ApiUnreachable) as err:
        kube.poll('x', lambda: kube.get('v1', 'ConfigMap', 'x', 'ns'), timeout=10)
    assert 'reading ConfigMap ns/x failed' in str(err.value)


def test_an_api_answer_is_not_mistaken_for_an_outage():
    class Rejecting(FlakyResource):
        def get(self, **_kwargs):
            raise _service.DynamicApiError(ApiAnswer(403, 'forbidden'))
    kube = service(Rejecting(outage=0))
    with pytest.raises(DaprSharedError) as err:
        kube.poll('x', lambda: kube.list('v1', 'Pod', 'ns'), timeout=60)
    assert not isinstance(err.value, _service.ApiUnreachable)


class ClusterOfLists(object):
    """A dynamic client over a few objects: lists honour `<label> in (a,b)`, gets find by name; calls counted."""

    def __init__(self, objects):
        self.objects, self.calls, self.resources = objects, [], self

    def get(self, api_version, kind):  # resources.get
        cluster = self

        class Resource(object):
            def get(self, name=None, namespace=None, label_selector=None, field_selector=None):
                cluster.calls.append((kind, 'get %s' % name if name else 'list'))
                found = [o for o in cluster.objects if o['kind'] == kind and o['metadata']['namespace'] == namespace]
                if name:
                    match = [o for o in found if o['metadata']['name'] == name]
                    if not match:
                        raise _service.NotFoundError(ApiAnswer(404, 'not found'))
                    return Answer(match[0])
                if label_selector:
                    key, values = label_selector.split(' in ')
                    found = [o for o in found if o['metadata'].get('labels', {}).get(key) in values.strip('()').split(',')]
                return Answer({'items': [dict((k, v) for k, v in o.items() if k not in ('apiVersion', 'kind'))
                                         for o in found]})
        return Resource()


def deployment(app, ready, labelled=True):
    labels = {S.LABEL_INSTANCE: app} if labelled else {}
    return dict(apiVersion='apps/v1', kind='Deployment', metadata=dict(name=app + '-dapr-shared', namespace='ns',
                                                                       labels=labels, generation=1),
                spec=dict(replicas=1), status=dict(observedGeneration=1, replicas=1, updatedReplicas=1,
                                                   readyReplicas=1 if ready else 0, availableReplicas=1 if ready else 0))


def daprd_pod(app, ready):
    return dict(apiVersion='v1', kind='Pod', metadata=dict(name=app + '-pod', namespace='ns', labels=S.selector_labels(app)),
                spec=dict(nodeName='w1'), status=dict(conditions=[dict(type='Ready', status='True' if ready else 'False')]))


def test_readiness_of_many_instances_costs_a_few_lists_per_namespace():
    apps = ['a%d' % i for i in range(12)]
    objects = [deployment(a, ready=(i % 2 == 0), labelled=(a != 'a11')) for i, a in enumerate(apps)]
    objects += [daprd_pod(a, ready=(i % 2 == 0)) for i, a in enumerate(apps)]
    cluster = ClusterOfLists(objects)
    kube = _service.KubeService(cluster)
    answers = kube.readiness_of([(deployment(a, False), S.selector_labels(a)) for a in apps])
    assert [summary['ready'] for summary, _c, _p in answers] == [i % 2 == 0 for i in range(12)]
    assert [[p['metadata']['name'] for p in pods] for _s, _c, pods in answers] == [[a + '-pod'] for a in apps]
    assert sorted(cluster.calls) == [('Deployment', 'get a11-dapr-shared'), ('Deployment', 'list'), ('Pod', 'list')], \
        'one list of workloads, one of pods; only the unlabelled workload is read on its own'


def test_wait_pods_gone_polls_until_no_selector_finds_a_pod():
    class Stopping(FlakyResource):
        def get(self, **kwargs):
            self.calls += 1
            return Answer({'items': [{'metadata': {'name': 'p'}}] if self.calls <= 4 else []})
    resource = Stopping(outage=0)
    kube = service(resource)
    kube.wait_pods_gone([('ns', 'a=1'), ('ns', 'a=2')], timeout=60)
    assert resource.calls == 6, 'two selectors per round, until a round finds none'


def test_a_timeout_names_only_the_workloads_not_ready_each_with_its_cause():
    objects = [deployment('ready', ready=True), daprd_pod('ready', ready=True),
               deployment('stuck', ready=False), daprd_pod('stuck', ready=False)]
    ticks = [0.0]

    def sleep(seconds):
        ticks[0] += seconds
    kube = _service.KubeService(ClusterOfLists(objects), sleep=sleep, clock=lambda: ticks[0])
    with pytest.raises(DaprSharedError) as err:
        kube.wait_ready([(deployment(a, False), S.selector_labels(a)) for a in ('ready', 'stuck')], timeout=5)
    msg = str(err.value)
    assert 'Deployment ns/stuck-dapr-shared to become ready (0 of 1 pods Ready; not Ready: stuck-pod' in msg
    assert 'ready-dapr-shared' not in msg, 'a ready workload beside the stuck one is not the cause'
