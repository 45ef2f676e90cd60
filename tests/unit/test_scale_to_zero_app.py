"""tests/e2e/scale_to_zero.py, the scale_to_zero scenario's app: its Redis protocol, its counting and its handler."""
import importlib.util
import io
import json
import os
import sys
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

_E2E = os.path.join(os.path.dirname(__file__), '..', 'e2e')
_PATH = os.path.join(_E2E, 'scale_to_zero.py')
# run as a script in the image, the program finds app.py beside it on its sys.path; here that directory is added
sys.path.insert(0, _E2E)
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


class FakeDaprd(object):
    """A daprd's HTTP API as far as scale_to_zero.py uses it; `refuse` makes every publish answer 500."""

    def __init__(self, refuse=False, invoke_answer=(500, dict(errorCode='ERR_DIRECT_INVOKE', message='no app'))):
        from http.server import BaseHTTPRequestHandler

        self.state, self.published, self.tokens = {}, [], []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt, *args):
                pass

            def _send(self, code, body=None):
                data = b'' if body is None else json.dumps(body).encode()
                self.send_response(code)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                return json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or b'null')

            def do_POST(self):
                fake.tokens.append(self.headers.get('dapr-api-token'))
                body = self._body()
                if self.path.startswith('/v1.0/publish/'):
                    fake.published.append((self.path, body))
                    return self._send(500 if refuse else 204)
                if self.path.startswith('/v1.0/state/'):
                    fake.state.update((item['key'], item['value']) for item in body)
                    return self._send(204)
                if self.path.startswith('/v1.0/invoke/'):
                    return self._send(*invoke_answer)
                return self._send(404)

            def do_GET(self):
                key = self.path.rsplit('/', 1)[1]
                return self._send(200, fake.state[key]) if key in fake.state else self._send(204)

            def do_DELETE(self):
                fake.state.pop(self.path.rsplit('/', 1)[1], None)
                return self._send(204)

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def daprd(monkeypatch):
    fakes = []

    def start(**kwargs):
        fake = FakeDaprd(**kwargs)
        fakes.append(fake)
        monkeypatch.setenv('DAPR_HTTP_ENDPOINT_STZ_SUB', fake.url)
        monkeypatch.setenv('DAPR_API_TOKEN_STZ_SUB', 'secret-token')
        return fake

    yield start
    for fake in fakes:
        fake.close()


def test_publish_sends_each_id_per_topic_with_the_token_and_reports_a_load_line(daprd, capsys):
    fake = daprd()
    assert stz.main(['publish', '--via', 'stz-sub', '--pubsub', 'ps', '--topic', 't1', '--topic', 't2', '--run', 'r9',
                     '--count', '3', '--rate', '100', '--label', 'x']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(' total=3 failed=0 ' in line for line in lines)
    assert sorted((path, body['id']) for path, body in fake.published) == sorted(
        ('/v1.0/publish/ps/%s' % t, 'r9-%04d' % i) for t in ('t1', 't2') for i in range(3))
    assert set(fake.tokens) == {'secret-token'}


def test_publish_counts_refusals_as_failures(daprd, capsys):
    daprd(refuse=True)
    stz.main(['publish', '--via', 'stz-sub', '--pubsub', 'ps', '--topic', 't', '--run', 'r', '--count', '2',
              '--rate', '100'])
    assert ' total=2 failed=2 ' in capsys.readouterr().out


def test_at_zero_saves_reads_deletes_and_publishes(daprd, capsys):
    fake = daprd()
    assert stz.main(['at-zero', '--via', 'stz-sub', '--store', 's', '--pubsub', 'ps', '--topic', 't',
                     '--event-id', 'r-own']) == 0
    result = json.loads(capsys.readouterr().out)
    assert result['failures'] == [] and result['state_value_matches'] and fake.state == {}
    assert fake.published == [('/v1.0/publish/ps/t', dict(id='r-own'))]


def test_at_zero_fails_when_the_publish_is_refused(daprd, capsys):
    daprd(refuse=True)
    assert stz.main(['at-zero', '--via', 'stz-sub', '--store', 's', '--pubsub', 'ps', '--topic', 't',
                     '--event-id', 'r-own']) == 1
    assert 'publish through stz-sub answered 500' in json.loads(capsys.readouterr().out)['failures'][0]


def test_invoke_reports_the_status_and_dapr_error_code(daprd, capsys):
    daprd()
    stz.main(['invoke', '--via', 'stz-sub', '--target', 'other'])
    result = json.loads(capsys.readouterr().out)
    assert (result['status'], result['error_code'], result['message']) == (500, 'ERR_DIRECT_INVOKE', 'no app')


def test_invoke_of_an_unreachable_daprd_is_status_zero(monkeypatch, capsys):
    monkeypatch.setenv('DAPR_HTTP_ENDPOINT_STZ_SUB', 'http://127.0.0.1:9')
    stz.main(['invoke', '--via', 'stz-sub', '--target', 'other'])
    result = json.loads(capsys.readouterr().out)
    assert result['status'] == 0 and result['error_code'] is None


def test_reset_deletes_the_keys_given_after_its_options(monkeypatch, capsys):
    fake = FakeRedis()
    monkeypatch.setattr(stz, 'Redis', lambda address: fake)
    assert stz.main(['reset', '--redis', 'redis:6379', 'ns.a.events', 'ns.a.deliveries']) == 0
    assert fake.calls == [('DEL', 'ns.a.events', 'ns.a.deliveries')]


def test_count_reads_the_whole_list(monkeypatch, capsys):
    class Listing(FakeRedis):
        def call(self, *args):
            self.calls.append(args)
            return ['r-0000 p1 5', 'r-0000 p2 6']
    fake = Listing()
    monkeypatch.setattr(stz, 'Redis', lambda address: fake)
    stz.main(['count', '--redis', 'redis:6379', '--record', 'rec', '--run', 'r', '--count', '1', '--extra', 'r-own'])
    assert fake.calls == [('LRANGE', 'rec', 0, -1)]
    result = json.loads(capsys.readouterr().out)
    assert (result['published'], result['delivered'], result['duplicates'], result['lost']) == (2, 1, 1, 1)
