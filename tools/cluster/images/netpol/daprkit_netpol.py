#!/usr/bin/python3
"""daprkit-netpol: a small NetworkPolicy (ingress) enforcer for the offline kind cluster.

Why it exists: kindnetd and every NetworkPolicy-capable CNI we tried (kube-network-policies,
kube-router, Calico, Antrea, Weave) cannot be fetched here, and daprkit-cni only routes. Without
enforcement a NetworkPolicy is just an object, so nothing about it could be proven on kind.

What it does, per node (DaemonSet, hostNetwork): every few seconds it reads Pods, Namespaces and
NetworkPolicies (API server, service account credentials), computes the ingress rules of the pods that
run on its node, and replaces the iptables chain DAPRKIT-NETPOL (jumped to first from FORWARD)
atomically with iptables-restore --noflush. Pod-to-pod traffic is routed through the node with
daprkit-cni's ptp plugin, so FORWARD sees every packet to a local pod from another pod, local or
remote; traffic from the node itself (kubelet probes) goes through OUTPUT and stays allowed, as
with other CNIs.

Semantics (networking.k8s.io/v1, Ingress only): a pod selected by a policy whose policyTypes
include Ingress is isolated; it accepts a new connection only when some ingress rule of some such
policy allows the source and the port. Peers: podSelector, namespaceSelector, both, ipBlock
(cidr minus its `except` entries). Ports:
number, name (resolved against the destination pod's container ports), endPort, protocol.
Egress policies are not enforced (logged once). Not a production CNI: a test-cluster tool.
"""
import hashlib
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

CHAIN = 'DAPRKIT-NETPOL'
POLL_SECONDS = float(os.environ.get('POLL_SECONDS', '2'))
RESYNC_SECONDS = 60


# ---------- pure logic --------------------------------------------------------------------------

def selector_matches(selector, labels):
    """A LabelSelector against a label map; {} matches everything, None matches nothing."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get('matchLabels') or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get('matchExpressions') or []:
        key, op, values = expr['key'], expr['operator'], expr.get('values') or []
        if op == 'In' and labels.get(key) not in values:
            return False
        if op == 'NotIn' and key in labels and labels[key] in values:
            return False
        if op == 'Exists' and key not in labels:
            return False
        if op == 'DoesNotExist' and key in labels:
            return False
    return True


def _labels(obj):
    return obj.get('metadata', {}).get('labels') or {}


def running_pod_ips(pods):
    """(pod, ip) of pods with a pod-network IP: hostNetwork pods are not selectable by policies."""
    out = []
    for pod in pods:
        ip = pod.get('status', {}).get('podIP')
        if not ip or pod.get('spec', {}).get('hostNetwork'):
            continue
        if pod.get('status', {}).get('phase') in ('Succeeded', 'Failed'):
            continue
        out.append((pod, ip))
    return out


def cidr_minus(cidr, excepts):
    """The networks covering cidr without the except ranges (NetworkPolicy ipBlock semantics)."""
    remaining = [ipaddress.ip_network(cidr, strict=False)]
    for text in excepts:
        cut = ipaddress.ip_network(text, strict=False)
        nxt = []
        for net in remaining:
            if net.version != cut.version or not net.overlaps(cut):
                nxt.append(net)
            elif not cut.supernet_of(net):
                nxt.extend(net.address_exclude(cut))
        remaining = nxt
    return sorted(str(net) for net in remaining)


def peer_sources(peer, policy_ns, pods, namespaces):
    """Source CIDRs of one `from` entry."""
    if 'ipBlock' in peer:
        return cidr_minus(peer['ipBlock']['cidr'], peer['ipBlock'].get('except') or [])
    ns_labels = {ns['metadata']['name']: _labels(ns) for ns in namespaces}
    if 'namespaceSelector' in peer:
        allowed_ns = {name for name, labels in ns_labels.items() if selector_matches(peer['namespaceSelector'], labels)}
    else:
        allowed_ns = {policy_ns}
    pod_selector = peer.get('podSelector', {})
    ips = sorted({ip for pod, ip in running_pod_ips(pods)
                  if pod['metadata']['namespace'] in allowed_ns and selector_matches(pod_selector, _labels(pod))})
    return ['%s/32' % ip for ip in ips]


def port_matches(rule_ports, pod):
    """iptables match fragments for the ports of one rule against the destination pod."""
    if not rule_ports:
        return ['']
    out = []
    named = {}
    for container in pod.get('spec', {}).get('containers', []):
        for port in container.get('ports') or []:
            if port.get('name'):
                named[(port['name'], port.get('protocol', 'TCP'))] = port['containerPort']
    for port in rule_ports:
        proto = port.get('protocol', 'TCP')
        number = port.get('port')
        if number is None:
            out.append('-p %s' % proto.lower())
            continue
        if isinstance(number, str) and not number.isdigit():
            number = named.get((number, proto))
            if number is None:
                continue  # a name the pod does not declare matches nothing
        end = port.get('endPort')
        dport = '%s:%s' % (number, end) if end else str(number)
        out.append('-p %s -m %s --dport %s' % (proto.lower(), proto.lower(), dport))
    return out


def ingress_rules(node_name, pods, namespaces, policies):
    """The body of chain DAPRKIT-NETPOL for one node: iptables-restore '-A' lines, in order."""
    lines = ['-A %s -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN' % CHAIN]
    for pod, ip in running_pod_ips(pods):
        if pod.get('spec', {}).get('nodeName') != node_name:
            continue
        ns = pod['metadata']['namespace']
        selecting = [p for p in policies
                     if p['metadata']['namespace'] == ns
                     and 'Ingress' in (p['spec'].get('policyTypes') or ['Ingress'])
                     and selector_matches(p['spec'].get('podSelector', {}), _labels(pod))]
        if not selecting:
            continue
        dest = '-d %s/32' % ip
        comment = '-m comment --comment "%s/%s"' % (ns, pod['metadata']['name'])
        for policy in sorted(selecting, key=lambda p: p['metadata']['name']):
            for rule in policy['spec'].get('ingress') or []:
                ports = port_matches(rule.get('ports'), pod)
                peers = rule.get('from')
                sources = [None] if not peers else []
                for peer in peers or []:
                    sources.extend(peer_sources(peer, ns, pods, namespaces))
                for port in ports:
                    for source in sources:
                        src = '-s %s' % source if source else ''
                        lines.append(' '.join(x for x in ('-A', CHAIN, dest, src, port, comment, '-j RETURN') if x))
        lines.append('-A %s %s %s -j DROP' % (CHAIN, dest, comment))
    return lines


def restore_text(lines):
    return '*filter\n:%s - [0:0]\n%s\nCOMMIT\n' % (CHAIN, '\n'.join(lines))


# ---------- I/O ---------------------------------------------------------------------------------

def log(msg):
    print('%s %s' % (time.strftime('%Y-%m-%dT%H:%M:%S'), msg), flush=True)


SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
LISTS = (('Pod', '/api/v1/pods'), ('Namespace', '/api/v1/namespaces'),
         ('NetworkPolicy', '/apis/networking.k8s.io/v1/networkpolicies'))


def api_client():
    """GET against the API server with the pod's service account (no kubectl process per poll)."""
    host, port = os.environ['KUBERNETES_SERVICE_HOST'], os.environ['KUBERNETES_SERVICE_PORT']
    context = ssl.create_default_context(cafile=os.path.join(SA_DIR, 'ca.crt'))

    def get(path):
        with open(os.path.join(SA_DIR, 'token')) as handle:  # re-read: projected tokens rotate
            token = handle.read().strip()
        request = urllib.request.Request('https://%s:%s%s' % (host, port, path),
                                         headers={'Authorization': 'Bearer ' + token, 'Accept': 'application/json'})
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return json.load(response)
    return get


def read_cluster(get):
    return tuple(get(path)['items'] for _kind, path in LISTS)


def apply(text):
    subprocess.run(['iptables-restore', '--noflush', '-w', '5'], input=text, check=True, text=True)
    jump = ['FORWARD', '-m', 'comment', '--comment', 'daprkit-netpol', '-j', CHAIN]
    if subprocess.run(['iptables', '-w', '5', '-C'] + jump, capture_output=True).returncode != 0:
        subprocess.run(['iptables', '-w', '5', '-I', jump[0], '1'] + jump[1:], check=True)


def main():
    # PID 1 ignores SIGTERM unless handled; the rules stay in place (no open window on restart)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    node = os.environ['NODE_NAME']
    get = api_client()
    applied, applied_at, warned_egress = None, 0.0, False
    while True:
        try:
            pods, namespaces, policies = read_cluster(get)
            if not warned_egress and any('Egress' in (p['spec'].get('policyTypes') or []) for p in policies):
                log('note: Egress rules are not enforced by daprkit-netpol')
                warned_egress = True
            lines = ingress_rules(node, pods, namespaces, policies)
            text = restore_text(lines)
            digest = hashlib.sha256(text.encode()).hexdigest()
            if digest != applied or time.time() - applied_at > RESYNC_SECONDS:
                apply(text)
                if digest != applied:
                    isolated = sum(1 for line in lines if line.endswith('-j DROP') and ' -s ' not in line)
                    log('applied %d rules, %d isolated pod(s) on %s' % (len(lines), isolated, node))
                applied, applied_at = digest, time.time()
        except (subprocess.CalledProcessError, urllib.error.URLError, OSError, ValueError, KeyError) as exc:
            log('error: %s' % (getattr(exc, 'stderr', None) or exc))
        time.sleep(POLL_SECONDS)


if __name__ == '__main__':
    sys.exit(main())
