"""Unit tests of daprkit-netpol's pure logic (stdlib unittest: python3 tools/cluster/tests/test_netpol.py)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'images', 'netpol'))
import daprkit_netpol as np  # noqa: E402


def pod(name, ns, ip, node='w1', labels=None, ports=None, host_network=False, phase='Running'):
    return {'kind': 'Pod', 'metadata': {'name': name, 'namespace': ns, 'labels': labels or {}},
            'spec': {'nodeName': node, 'hostNetwork': host_network,
                     'containers': [{'name': 'c', 'ports': ports or []}]},
            'status': {'podIP': ip, 'phase': phase}}


def namespace(name, labels=None):
    labels = dict(labels or {}, **{'kubernetes.io/metadata.name': name})
    return {'kind': 'Namespace', 'metadata': {'name': name, 'labels': labels}}


def policy(name, ns, pod_selector, ingress, types=None):
    spec = {'podSelector': pod_selector, 'ingress': ingress}
    if types is not None:
        spec['policyTypes'] = types
    return {'kind': 'NetworkPolicy', 'metadata': {'name': name, 'namespace': ns}, 'spec': spec}


DAPRD = pod('daprd-1', 'apps', '10.244.1.5', labels={'app': 'daprd'},
            ports=[{'name': 'http', 'containerPort': 3500}, {'name': 'grpc', 'containerPort': 50001}])
CLIENT = pod('client', 'apps', '10.244.2.7', node='w2', labels={'app': 'client'})
STRANGER = pod('stranger', 'apps', '10.244.2.8', node='w2', labels={'app': 'other'})
ELSEWHERE = pod('client', 'other', '10.244.2.9', node='w2', labels={'app': 'client'})
NAMESPACES = [namespace('apps'), namespace('other', {'team': 'x'})]


def allowed_sources(lines, port=None):
    out = set()
    for line in lines:
        if line.endswith('-j RETURN') and ' -s ' in line and (port is None or '--dport %s ' % port in line):
            out.add(line.split(' -s ')[1].split()[0])
    return out


class SelectorTest(unittest.TestCase):
    def test_empty_selector_matches_all_and_none_matches_nothing(self):
        self.assertTrue(np.selector_matches({}, {'a': '1'}))
        self.assertFalse(np.selector_matches(None, {'a': '1'}))

    def test_match_labels_and_expressions(self):
        sel = {'matchLabels': {'app': 'x'}, 'matchExpressions': [
            {'key': 'tier', 'operator': 'In', 'values': ['a', 'b']},
            {'key': 'legacy', 'operator': 'DoesNotExist'},
            {'key': 'env', 'operator': 'NotIn', 'values': ['prod']}]}
        self.assertTrue(np.selector_matches(sel, {'app': 'x', 'tier': 'a', 'env': 'dev'}))
        self.assertFalse(np.selector_matches(sel, {'app': 'x', 'tier': 'c'}))
        self.assertFalse(np.selector_matches(sel, {'app': 'x', 'tier': 'a', 'legacy': '1'}))
        self.assertFalse(np.selector_matches(sel, {'app': 'x', 'tier': 'a', 'env': 'prod'}))
        self.assertFalse(np.selector_matches({'matchExpressions': [{'key': 'k', 'operator': 'Exists'}]}, {}))


class IngressRulesTest(unittest.TestCase):
    def rules(self, policies, pods=None, node='w1'):
        return np.ingress_rules(node, pods or [DAPRD, CLIENT, STRANGER, ELSEWHERE], NAMESPACES, policies)

    def test_unselected_pod_is_not_isolated(self):
        lines = self.rules([policy('p', 'apps', {'matchLabels': {'app': 'nobody'}}, [])])
        self.assertEqual(lines, ['-A DAPRKIT-NETPOL -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN'])

    def test_selected_pod_with_no_rules_denies_everything(self):
        lines = self.rules([policy('deny', 'apps', {}, [])])
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[1].startswith('-A DAPRKIT-NETPOL -d 10.244.1.5/32 '))
        self.assertTrue(lines[1].endswith('-j DROP'))

    def test_pod_selector_peer_allows_only_matching_pods_of_the_policy_namespace(self):
        rule = {'from': [{'podSelector': {'matchLabels': {'app': 'client'}}}], 'ports': [{'port': 3500}]}
        lines = self.rules([policy('p', 'apps', {'matchLabels': {'app': 'daprd'}}, [rule])])
        self.assertEqual(allowed_sources(lines), {'10.244.2.7/32'})
        self.assertIn('-p tcp -m tcp --dport 3500', lines[1])
        self.assertTrue(lines[-1].endswith('-j DROP'))

    def test_namespace_and_pod_selector_together(self):
        rule = {'from': [{'namespaceSelector': {'matchLabels': {'team': 'x'}},
                          'podSelector': {'matchLabels': {'app': 'client'}}}]}
        lines = self.rules([policy('p', 'apps', {}, [rule])])
        self.assertEqual(allowed_sources(lines), {'10.244.2.9/32'})

    def test_named_port_resolved_against_the_destination_pod(self):
        rule = {'ports': [{'port': 'grpc'}, {'port': 'missing'}]}
        lines = self.rules([policy('p', 'apps', {}, [rule])])
        self.assertEqual(len([ln for ln in lines if '--dport 50001 ' in ln]), 1)
        self.assertFalse(any('missing' in ln for ln in lines))
        self.assertEqual(len(lines), 3)  # established, the one resolvable port, the final drop

    def test_end_port_and_udp(self):
        rule = {'ports': [{'port': 9000, 'endPort': 9010, 'protocol': 'UDP'}]}
        lines = self.rules([policy('p', 'apps', {}, [rule])])
        self.assertIn('-p udp -m udp --dport 9000:9010', lines[1])

    def test_ip_block_except_is_carved_out(self):
        rule = {'from': [{'ipBlock': {'cidr': '10.0.0.0/8', 'except': ['10.244.0.0/16']}}]}
        lines = self.rules([policy('p', 'apps', {}, [rule])])
        sources = allowed_sources(lines)
        self.assertNotIn('10.0.0.0/8', sources)
        self.assertIn('10.0.0.0/9', sources)
        self.assertFalse(any(s.startswith('10.244.') for s in sources))

    def test_only_pods_of_this_node_hostnetwork_and_finished_pods_are_skipped(self):
        host = pod('h', 'apps', '172.18.0.2', labels={'app': 'daprd'}, host_network=True)
        done = pod('d', 'apps', '10.244.1.9', labels={'app': 'daprd'}, phase='Succeeded')
        lines = self.rules([policy('p', 'apps', {}, [])], pods=[DAPRD, CLIENT, host, done])
        drops = [ln for ln in lines if ln.endswith('-j DROP')]
        self.assertEqual(len(drops), 1)
        self.assertIn('10.244.1.5/32', drops[0])

    def test_egress_only_policy_does_not_isolate_for_ingress(self):
        lines = self.rules([policy('p', 'apps', {}, [], types=['Egress'])])
        self.assertEqual(len(lines), 1)

    def test_empty_from_allows_any_source_on_the_port(self):
        lines = self.rules([policy('p', 'apps', {}, [{'ports': [{'port': 9090}]}])])
        self.assertEqual(allowed_sources(lines), set())
        self.assertIn('-A DAPRKIT-NETPOL -d 10.244.1.5/32 -p tcp -m tcp --dport 9090', lines[1])

    def test_restore_text_declares_and_commits_the_chain(self):
        text = np.restore_text(['-A DAPRKIT-NETPOL -j RETURN'])
        self.assertEqual(text.splitlines(),
                         ['*filter', ':DAPRKIT-NETPOL - [0:0]', '-A DAPRKIT-NETPOL -j RETURN', 'COMMIT'])


if __name__ == '__main__':
    unittest.main()
