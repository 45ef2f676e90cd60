"""In-cluster load client of `make bench`, run inside the e2e client image (Python 3 and the Dapr SDK's
generated gRPC stubs), mounted from a ConfigMap. One client for every target (a sidecar, a shared
daemonset or deployment daprd, the official chart), so that the figures compare like with like.

  loadclient.py seed --key K TARGET=VALUE...
      save state K=VALUE into the in-memory state store of each daprd TARGET (an http://pod-ip:3500 URL).
      The in-memory store lives in one daprd process, so reading K back names the daprd that served.
  loadclient.py load --streams state-http,invoke-grpc,... --count N --rate R [--http URL] [--grpc H:P]
                     [--app-id ID] [--token-env VAR] [--key K] [--label L] [--reconnect]
      for each stream in turn: N requests at R per second over one kept-open connection (bounded:
      N/R seconds at most, 5 s timeout per request). Prints one JSON line per stream: caller node,
      total, failed, p50/p90/p99 in ms, and `served`: how many answers came from each node (the value
      read back for state, the node the invoked app reports for invocation). --reconnect opens a new
      HTTP connection per request, so that each request is routed by the Service on its own.

Bounded and cluster-internal: targets are the daprd addresses given on the command line.
"""
import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

NODE = os.environ.get('NODE_NAME', '')
STORE = 'statestore'


def _percentile(ordered, share):
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2) if ordered else None


class Http(object):
    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=5)
        self.headers = {'dapr-api-token': token} if token else {}

    def request(self, method, path, body=None, reconnect=False):
        if reconnect:
            self.conn.close()  # a new TCP connection: the Service picks a daprd again
        headers = dict(self.headers)
        if body is not None:
            headers['Content-Type'] = 'application/json'
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except Exception:
            self.conn.close()  # reconnect on the next request
            raise
        if response.status >= 300:
            raise RuntimeError('HTTP %d %s' % (response.status, data[:200]))
        return data


def seed(key, targets, token):
    for target in targets:
        url, value = target.rsplit('=', 1)
        Http(url, token).request('POST', '/v1.0/state/%s' % STORE, json.dumps([dict(key=key, value=value)]))
    print(json.dumps(dict(seeded=len(targets))))
    return 0


def _grpc(address, token):
    import grpc
    from dapr.proto import api_service_v1

    channel = grpc.insecure_channel(address)
    grpc.channel_ready_future(channel).result(timeout=10)
    return api_service_v1.DaprStub(channel), ([('dapr-api-token', token)] if token else [])


def _node_of(data):
    """The node in an answer: a state value (JSON string) or the invoked app's identity (JSON object)."""
    value = json.loads(data) if data else None
    return value.get('node') if isinstance(value, dict) else value


def make_call(stream, args, token):
    what, channel = stream.split('-')
    if channel == 'http':
        client = Http(args.http, token)
        path = ('/v1.0/state/%s/%s' % (STORE, args.key) if what == 'state'
                else '/v1.0/invoke/%s/method/hello' % args.app_id)
        return lambda: _node_of(client.request('GET', path, reconnect=args.reconnect))
    from dapr.proto import api_v1, common_v1

    stub, metadata = _grpc(args.grpc, token)
    if what == 'state':
        request = api_v1.GetStateRequest(store_name=STORE, key=args.key)
        return lambda: _node_of(stub.GetState(request, metadata=metadata, timeout=5).data)
    request = api_v1.InvokeServiceRequest(id=args.app_id, message=common_v1.InvokeRequest(
        method='hello', http_extension=common_v1.HTTPExtension(verb=common_v1.HTTPExtension.Verb.GET)))
    return lambda: _node_of(stub.InvokeService(request, metadata=metadata, timeout=5).data.value)


def run_stream(stream, args, token):
    call = make_call(stream, args, token)
    latencies, served, failed, errors = [], {}, 0, {}
    start = time.monotonic()
    for i in range(args.count):
        time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
        t0 = time.monotonic()
        try:
            node = call()
            latencies.append((time.monotonic() - t0) * 1000)
            served[node or '?'] = served.get(node or '?', 0) + 1
        except Exception as exc:  # any failure counts: refused, reset, non-2xx, timeout
            failed += 1
            errors[type(exc).__name__] = str(exc)[:200]
    latencies.sort()
    return dict(stream=stream, label=args.label, caller_node=NODE, total=args.count, failed=failed,
                p50_ms=_percentile(latencies, 0.5), p90_ms=_percentile(latencies, 0.9),
                p99_ms=_percentile(latencies, 0.99), served=served, seconds=round(time.monotonic() - start, 2),
                errors=errors)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['seed', 'load'])
    parser.add_argument('targets', nargs='*')
    parser.add_argument('--streams', default='state-http')
    parser.add_argument('--count', type=int, default=100)
    parser.add_argument('--rate', type=float, default=10.0)
    parser.add_argument('--http', default='http://127.0.0.1:3500')
    parser.add_argument('--grpc', default='127.0.0.1:50001')
    parser.add_argument('--app-id', default='')
    parser.add_argument('--key', default='bench-whoami')
    parser.add_argument('--label', default='')
    parser.add_argument('--reconnect', action='store_true',
                        help='a new connection for every HTTP request (locality: each request picks a daprd)')
    parser.add_argument('--token-env', default='', help='environment variable holding the API token')
    args = parser.parse_intermixed_args()
    token = os.environ.get(args.token_env, '') if args.token_env else ''
    if args.mode == 'seed':
        return seed(args.key, args.targets, token)
    for stream in args.streams.split(','):
        print(json.dumps(run_stream(stream, args, token), sort_keys=True), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
