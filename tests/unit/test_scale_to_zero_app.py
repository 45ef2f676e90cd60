"""tests/e2e/scale_to_zero.py, the scale_to_zero scenario's app: its Redis protocol, its counting and its handler."""
import importlib.util
import io
import json
import os
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

_PATH = os.path.join(os.path.dirname(__file__), '..', 'e2e', 'scale_to_zero.py')
_SPEC = importlib.util.spec_from_file_location('scale_to_zero', _PATH)
stz = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(stz)


def test_a_command_is_an_array_of_bulk_strings():
    assert stz.resp_encode('RPUSH', 'k', 'a b') == b'*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$3\r\na b\r\n'
    assert stz.resp_encode('LRANGE', 'k', 0, -1) == b'*4\r\n$6\r\nLRANGE\r\n$1\r\nk\r\n$1\r\n0\r\n$2\r\n-1\r\n'


@pytest.mark.parametrize('raw, value', [
    (b'+PONG\r\n', 'PONG'),
    (b':42\r\n', 42),
    (b'$-1\r\n', None),
    (b'$8\r\na\r\nb c d\r\n', 'a\r\nb c d'),
    (b'*2\r\n$3\r\none\r\n$3\r\ntwo\r\n', ['one', 'two']),
    (b'*0\r\n', []),
    (b'*-1\r\n', None),
])
def test_replies_are_read(raw, value):
    assert stz.resp_read(io.BytesIO(raw)) == value


@pytest.mark.parametrize('raw', [b'-WRONGTYPE Operation against a key\r\n', b'$5\r\nab', b'', b'?x\r\n'])
def test_an_error_reply_or_a_cut_connection_raises(raw):
    with pytest.raises(stz.RedisError):
        stz.resp_read(io.BytesIO(raw))


def test_ids_are_numbered_from_zero():
    assert stz.event_ids('r1', 3) == ['r1-0000', 'r1-0001', 'r1-0002']


def test_tally_counts_per_id():
    expected = stz.event_ids('r1', 4) + ['r1-own']
    records = ['r1-0000 p1 1000', 'r1-0001 p2 1500', 'r1-0001 p1 2500', 'r1-own p2 1200',
               'warmup-x p1 10', 'garbage']
    tally = stz.tally(records, expected)
    assert tally['published'] == 5
    assert tally['delivered'] == 3
    assert (tally['lost'], tally['lost_ids']) == (2, ['r1-0002', 'r1-0003'])
    assert (tally['duplicates'], tally['duplicated_ids']) == (1, ['r1-0001'])
    assert tally['unexpected'] == 2
    assert (tally['first_ms'], tally['last_ms']) == (1000, 2500)
    assert tally['by_pod'] == {'p1': 2, 'p2': 2}


def test_tally_of_nothing_delivered_loses_everything():
    tally = stz.tally([], stz.event_ids('r', 2))
    assert (tally['delivered'], tally['lost'], tally['first_ms']) == (0, 2, None)


@pytest.mark.parametrize('body, ident', [
    (json.dumps(dict(data=dict(id='r-0001'))), 'r-0001'),
    (json.dumps(dict(data=json.dumps(dict(id='r-0002')))), 'r-0002'),
    (json.dumps(dict(data=None)), None),
])
def test_the_event_id_is_read_from_the_cloud_event(body, ident):
    assert stz.event_id(body.encode()) == ident


class FakeRedis(object):
    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def call(self, *args):
        if self.fail:
            raise stz.RedisError('OOM command not allowed')
        self.calls.append(args)
        return len(self.calls)


@pytest.fixture
def app():
    servers = []

    def start(redis):
        server = ThreadingHTTPServer(('127.0.0.1', 0), stz.make_handler('ps', 'ns.app.events', redis, 'ns.app.rec'))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return 'http://127.0.0.1:%d' % server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST',
                                     headers={'Content-Type': 'application/cloudevents+json'})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_app_subscribes_to_its_topic_and_records_each_delivery(app):
    redis = FakeRedis()
    base = app(redis)
    with urllib.request.urlopen(base + '/dapr/subscribe', timeout=5) as response:
        assert json.loads(response.read()) == [dict(pubsubname='ps', topic='ns.app.events', route='/events')]
    assert _post(base + '/events', dict(data=dict(id='r-0007'))) == (200, dict(status='SUCCESS'))
    assert len(redis.calls) == 1
    command, key, record = redis.calls[0]
    assert (command, key) == ('RPUSH', 'ns.app.rec')
    assert record.split(' ')[0] == 'r-0007' and len(record.split(' ')) == 3


def test_a_delivery_that_cannot_be_recorded_is_refused_so_that_dapr_retries_it(app):
    base = app(FakeRedis(fail=True))
    assert _post(base + '/events', dict(data=dict(id='r-0007'))) == (500, dict(status='RETRY'))


def test_an_invocation_is_answered_without_recording(app):
    redis = FakeRedis()
    status, body = _post(app(redis) + '/x', dict(probe=True))
    assert status == 200 and body['invoked'] == '/x' and redis.calls == []
