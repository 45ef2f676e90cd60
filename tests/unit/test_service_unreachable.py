"""KubeService against a dynamic client whose transport fails: clear errors, waits that ride out an outage.

Fakes stand for the kubernetes library's dynamic client only; what is tested is our handling of it.
"""
import pytest
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ansible_collections.daprkit.dapr.plugins.module_utils import _service
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
