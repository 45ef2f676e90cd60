#!/usr/bin/env python
"""Scale to zero, measured (molecule/scale_to_zero): a subscriber app, a publisher and the counting, stdlib only.

  scale_to_zero.py serve --pubsub P --topic T --redis HOST:PORT --record KEY
        the subscriber app on :8080: subscribes to T on P (GET /dapr/subscribe) and records every event it is
        given into the Redis list KEY (RPUSH "<id> <pod> <epoch ms>") before it answers SUCCESS; any other POST
        (an invocation) is answered 200; GET /healthz for the kubelet and for daprd's app health checks
  scale_to_zero.py publish --via APP_ID --pubsub P --topic T [--topic T2] --run R --count N --rate X --label L
        N events per topic with the ids R-0000 ... at X per second through the daprd of APP_ID; one line per
        topic: load: publish <L> topic=T total=N failed=M p50_ms=.. p99_ms=..
  scale_to_zero.py count --redis HOST:PORT --record KEY --run R --count N [--extra ID]...
        per expected id (R-0000 ... and each extra), how often it was recorded: prints JSON with delivered,
        lost, duplicates, the first and last delivery (epoch ms) and the deliveries per pod
  scale_to_zero.py at-zero --via APP_ID --store S --pubsub P --topic T --event-id ID
        through the daprd of APP_ID (its app away): a state save, get and delete, and one publish; prints JSON
  scale_to_zero.py invoke --via APP_ID --target TARGET_APP_ID
        POST /v1.0/invoke/TARGET/method/x through the daprd of APP_ID; prints the status, Dapr's error code and
        the time it took, as JSON
  scale_to_zero.py roundtrip --via APP_ID --pubsub P --topic T --redis HOST:PORT --record KEY
        one event published and waited for (bounded) in KEY: the pipeline works before the app goes away
  scale_to_zero.py reset --redis HOST:PORT KEY...
        deletes the keys (the streams and the delivery lists of an episode)

The daprd of an app id is named by two variables of the caller's environment: DAPR_HTTP_ENDPOINT_<ID> and
DAPR_API_TOKEN_<ID> (ID upper-cased, '-' as '_'), so that no token is ever on a command line.

Deliveries are recorded in Redis, not in the app's memory, because the app's pods go away during the test and
the count must survive them; RPUSH appends, so a second delivery of an id is seen as such (a key per id, as the
Dapr state API would give, would hide it), and the record does not go through the daprd under test.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import ThreadingHTTPServer

# the e2e image's other program, beside this one in /opt/e2e (the directory of a script is on its sys.path)
from app import JsonHandler

POD = os.environ.get('POD_NAME', socket.gethostname())
TIMEOUT = 10


# -- Redis over a raw socket (RESP 2), enough for RPUSH, LRANGE, DEL and PING -----------------------------------
class RedisError(Exception):
    pass


def resp_encode(*args):
    """One command as a RESP array of bulk strings."""
    out = [b'*%d\r\n' % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(data), data))
    return b''.join(out)


def resp_read(stream):
    """One reply from a file-like object (readline/read): str, int, None, list; an error reply raises."""
    line = stream.readline()
    if not line.endswith(b'\r\n'):
        raise RedisError('connection closed mid-reply')
    kind, rest = line[:1], line[1:-2]
    if kind == b'+':
        return rest.decode()
    if kind == b'-':
        raise RedisError(rest.decode())
    if kind == b':':
        return int(rest)
    if kind == b'$':
        size = int(rest)
        if size < 0:
            return None
        data = stream.read(size + 2)
        if len(data) != size + 2:
            raise RedisError('connection closed mid-reply')
        return data[:-2].decode()
    if kind == b'*':
        size = int(rest)
        return None if size < 0 else [resp_read(stream) for _index in range(size)]
    raise RedisError('unexpected reply %r' % line)


class Redis(object):
    """One connection per command: the app serves few requests a second, and no connection outlives a failure."""

    def __init__(self, address):
        host, port = address.rsplit(':', 1)
        self.address = (host, int(port))

    def call(self, *args):
        with socket.create_connection(self.address, timeout=TIMEOUT) as sock:
            sock.sendall(resp_encode(*args))
            with sock.makefile('rb') as stream:
                return resp_read(stream)


# -- the subscriber app -------------------------------------------------------------------------------------------
def event_id(body):
    """The id of the event daprd delivers: a CloudEvent whose data is {"id": ...} (data may arrive as a string)."""
    event = json.loads(body or b'{}')
    data = event.get('data')
    if isinstance(data, str):
        data = json.loads(data)
    return (data or {}).get('id')


def make_handler(pubsub, topic, redis, record):
    class Handler(JsonHandler):
        def log_message(self, fmt, *args):
            if self.path != '/healthz':  # daprd's health checks and the kubelet's would drown the deliveries
                sys.stderr.write('%s %s\n' % (self.command, self.path))

        def do_GET(self):
            if self.path == '/dapr/subscribe':
                return self._send(200, [dict(pubsubname=pubsub, topic=topic, route='/events')])
            if self.path == '/healthz':
                return self._send(200, dict(pod=POD))
            return self._send(404, dict(error='not found'))

        def do_POST(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else b''
            if self.path != '/events':
                return self._send(200, dict(pod=POD, invoked=self.path))
            try:
                ident = event_id(body)
                redis.call('RPUSH', record, '%s %s %d' % (ident, POD, int(time.time() * 1000)))
            except (ValueError, OSError, RedisError) as exc:
                # not recorded, so not acknowledged: Dapr delivers it again
                sys.stderr.write('not recorded: %s\n' % exc)
                return self._send(500, dict(status='RETRY'))
            return self._send(200, dict(status='SUCCESS'))

    return Handler


def serve(args):
    handler = make_handler(args.pubsub, args.topic, Redis(args.redis), args.record)
    ThreadingHTTPServer(('0.0.0.0', 8080), handler).serve_forever()


# -- calls to a daprd ---------------------------------------------------------------------------------------------
def daprd_of(app_id):
    """(HTTP endpoint, token) of the daprd serving app_id, from this process's environment."""
    suffix = app_id.upper().replace('-', '_')
    return os.environ['DAPR_HTTP_ENDPOINT_' + suffix], os.environ.get('DAPR_API_TOKEN_' + suffix, '')


def http(method, url, token, body=None, timeout=TIMEOUT):
    """(status, parsed JSON body or text or None, seconds). A refused or timed-out call is status 0."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('dapr-api-token', token)
    start = time.time()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (OSError, ValueError) as exc:
        return 0, '%s: %s' % (type(exc).__name__, exc), time.time() - start
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors='replace')
    return status, parsed, time.time() - start


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def event_ids(run, count):
    return ['%s-%04d' % (run, i) for i in range(count)]


def publish_stream(base, token, pubsub, topic, ids, rate, out):
    """Publish each id at a steady rate (a late call does not make the next ones hurry by more than the plan)."""
    latencies, failed = [], 0
    next_at = time.time()
    for ident in ids:
        status, _body, seconds = http('POST', '%s/v1.0/publish/%s/%s' % (base, pubsub, topic), token, dict(id=ident))
        latencies.append(seconds * 1000)
        if status != 204:
            failed += 1
        next_at += 1.0 / rate
        time.sleep(max(0.0, next_at - time.time()))
    out.update(total=len(ids), failed=failed, p50=percentile(latencies, 0.5), p99=percentile(latencies, 0.99))


def publish(args):
    base, token = daprd_of(args.via)
    ids = event_ids(args.run, args.count)
    results = dict((topic, {}) for topic in args.topic)
    threads = [threading.Thread(target=publish_stream, args=(base, token, args.pubsub, topic, ids, args.rate,
                                                             results[topic])) for topic in args.topic]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for topic in args.topic:
        r = results[topic]
        print('load: publish %s via=%s topic=%s total=%d failed=%d p50_ms=%.1f p99_ms=%.1f'
              % (args.label, args.via, topic, r['total'], r['failed'], r['p50'], r['p99']))
    return 0


# -- counting -----------------------------------------------------------------------------------------------------
def tally(records, expected):
    """Pure: what the delivery records ("<id> <pod> <ms>") say of the expected ids."""
    counts = dict((ident, 0) for ident in expected)
    by_pod, times, unexpected = {}, [], 0
    for record in records:
        parts = record.split(' ')
        if len(parts) != 3 or parts[0] not in counts:
            unexpected += 1
            continue
        counts[parts[0]] += 1
        by_pod[parts[1]] = by_pod.get(parts[1], 0) + 1
        times.append(int(parts[2]))
    lost = sorted(ident for ident, n in counts.items() if n == 0)
    return dict(published=len(counts), delivered=sum(1 for n in counts.values() if n),
                lost=len(lost), lost_ids=lost[:20], duplicates=sum(n - 1 for n in counts.values() if n > 1),
                duplicated_ids=sorted(ident for ident, n in counts.items() if n > 1)[:20],
                unexpected=unexpected, first_ms=min(times) if times else None, last_ms=max(times) if times else None,
                by_pod=by_pod)


def count(args):
    records = Redis(args.redis).call('LRANGE', args.record, 0, -1) or []
    print(json.dumps(tally(records, event_ids(args.run, args.count) + list(args.extra)), sort_keys=True))
    return 0


# -- the checks while the app is away -----------------------------------------------------------------------------
def at_zero(args):
    """State and publish through the daprd of an app that is not there: both must work (Ready = serves the APIs)."""
    base, token = daprd_of(args.via)
    key, value = 'stz-%s' % uuid.uuid4().hex[:12], uuid.uuid4().hex
    store = '%s/v1.0/state/%s' % (base, args.store)
    saved = http('POST', store, token, [dict(key=key, value=value)])
    read = http('GET', '%s/%s' % (store, key), token)
    deleted = http('DELETE', '%s/%s' % (store, key), token)
    published = http('POST', '%s/v1.0/publish/%s/%s' % (base, args.pubsub, args.topic), token, dict(id=args.event_id))
    result = dict(via=args.via, state_save=saved[0], state_get=read[0], state_value_matches=read[1] == value,
                  state_delete=deleted[0], publish=published[0], event_id=args.event_id, failures=[])
    if saved[0] != 204 or read[0] != 200 or read[1] != value or deleted[0] != 204:
        result['failures'].append('state through %s: save %s, get %s %r, delete %s'
                                  % (args.via, saved[0], read[0], read[1], deleted[0]))
    if published[0] != 204:
        result['failures'].append('publish through %s answered %s %r' % (args.via, published[0], published[1]))
    print(json.dumps(result, sort_keys=True))
    return 1 if result['failures'] else 0


def invoke(args):
    """What a caller gets when it invokes an app id whose app is away (measured, not judged here)."""
    base, token = daprd_of(args.via)
    status, body, seconds = http('POST', '%s/v1.0/invoke/%s/method/x' % (base, args.target), token, dict(probe=True),
                                 timeout=60)
    body = body if isinstance(body, dict) else dict(text=body)
    print(json.dumps(dict(via=args.via, target=args.target, status=status, error_code=body.get('errorCode'),
                          message=body.get('message'), seconds=round(seconds, 2)), sort_keys=True))
    return 0


def roundtrip(args):
    base, token = daprd_of(args.via)
    ident = 'warmup-%s' % uuid.uuid4().hex[:12]
    status = http('POST', '%s/v1.0/publish/%s/%s' % (base, args.pubsub, args.topic), token, dict(id=ident))[0]
    redis, deadline, seen, start = Redis(args.redis), time.time() + args.timeout, False, time.time()
    while status == 204 and not seen and time.time() < deadline:
        seen = any(r.split(' ')[0] == ident for r in redis.call('LRANGE', args.record, 0, -1) or [])
        time.sleep(0.3)
    print(json.dumps(dict(id=ident, topic=args.topic, publish=status, delivered=seen,
                          seconds=round(time.time() - start, 2)), sort_keys=True))
    return 0 if seen else 1


def reset(args):
    print(json.dumps(dict(deleted=Redis(args.redis).call('DEL', *args.keys))))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['serve', 'publish', 'count', 'at-zero', 'invoke', 'roundtrip', 'reset'])
    parser.add_argument('--pubsub')
    parser.add_argument('--topic', action='append', default=[])
    parser.add_argument('--redis')
    parser.add_argument('--record')
    parser.add_argument('--via')
    parser.add_argument('--target')
    parser.add_argument('--store')
    parser.add_argument('--event-id')
    parser.add_argument('--run')
    parser.add_argument('--count', type=int, default=0)
    parser.add_argument('--rate', type=float, default=10.0)
    parser.add_argument('--label', default='')
    parser.add_argument('--extra', action='append', default=[])
    parser.add_argument('--timeout', type=float, default=60.0)
    parser.add_argument('keys', nargs='*')
    # intermixed: the keys of reset come after its options
    args = parser.parse_intermixed_args(argv)
    if args.mode in ('serve', 'at-zero', 'roundtrip'):
        args.topic = args.topic[0] if args.topic else None
    if args.mode == 'serve':
        serve(args)
        return 0
    modes = {'publish': publish, 'count': count, 'at-zero': at_zero, 'invoke': invoke, 'roundtrip': roundtrip,
             'reset': reset}
    return modes[args.mode](args)


if __name__ == '__main__':
    sys.exit(main())
