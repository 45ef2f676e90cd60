# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: map one instance to values of the official dapr-shared chart (v0.0.16 layout).

Pure. Compensates the chart's known defects (Sentry/operator on 443, control-plane namespace, trust domain
and token audience kept coherent, daprd tag equal to the control plane's, mTLS matched) and refuses every
schema option the chart cannot express instead of dropping it silently.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S

# (field, predicate telling that the user asked for something, why the chart cannot do it)
_UNSUPPORTED = (
    ('resources', lambda i: bool(i['resources']), 'the chart has no resources value'),
    ('priority_class_name', lambda i: bool(i['priority_class_name']), 'the chart has no priorityClassName value'),
    ('labels', lambda i: bool(i['labels']), 'the chart cannot add labels (use annotations)'),
    ('scheduler_address', lambda i: bool(i['scheduler_address']),
     'the chart only sets DAPR_SCHEDULER_HOST_ADDRESS, which daprd >= 1.17 ignores'),
    ('app_token', lambda i: bool(i['app_token']['enabled']), 'the chart has no app token (APP_API_TOKEN)'),
    ('api_token.secret_name', lambda i: bool(i['api_token']['secret_name']),
     'the chart creates its own token Secret and cannot reference an existing one'),
)


def unsupported_fields(instance):
    """Messages for every option set on the instance that the chart cannot express."""
    where = 'instance %s/%s' % (instance['namespace'], instance['app_id'])
    return ['%s: %s is not supported with method: helm (%s); use method: manifests' % (where, field, why)
            for field, asked, why in _UNSUPPORTED if asked(instance)]


def split_image(image):
    """'ghcr.io/dapr/daprd' -> ('ghcr.io/dapr', 'daprd'); the chart wants registry and name apart."""
    if '/' not in image:
        return 'docker.io/library', image
    registry, name = image.rsplit('/', 1)
    return registry, name


def _host_port(address):
    host, port = address.rsplit(':', 1)
    return dict(address=host, port=int(port))


def chart_values(instance, control_plane, version, api_token=''):
    """Values for `helm upgrade --install` of one instance.

    control_plane: dict(namespace, trust_domain, mtls) as the role read it from the cluster.
    """
    problems = unsupported_fields(instance)
    if problems:
        raise ValueError('; '.join(problems))
    cp_ns = control_plane['namespace']
    trust_domain = instance['control_plane_trust_domain'] or control_plane.get('trust_domain') or 'cluster.local'
    mtls = S.resolve_mtls(instance['mtls'], control_plane.get('mtls'))
    addresses = S.resolve_addresses(instance, cp_ns)
    registry, name = split_image(instance['daprd_image'])
    health = instance['app_health']
    daprd = dict(
        image=dict(registry=registry, name=name, tag=version.lstrip('v'), pullPolicy=instance['image_pull_policy']),
        app=dict(protocol=instance['app_protocol']),
        # Defect 5: mTLS must match the control plane, the chart defaults to false.
        mtls=dict(enabled=mtls),
        metrics=dict(enabled=instance['metrics']['enabled'], port=instance['metrics']['port']),
        apiLogging=dict(enabled=instance['api_logging']),
        # Defect 2/3: the token audience must name the real control-plane namespace and trust domain.
        serviceAccountIdentityToken=dict(audience='spiffe://%s/ns/%s/dapr-sentry' % (trust_domain, cp_ns)),
        listenAddresses='0.0.0.0',
        config=instance['config'],
        appHealth=dict(enabled=health['enabled'], checkPath=health['path'], probeInterval=health['probe_interval'],
                       probeTimeout=health['probe_timeout'], threshold=health['threshold']),
        token=api_token or '',
    )
    shared = dict(
        appId=instance['app_id'],
        remoteURL=instance['remote_host'],
        remotePort=instance['remote_port'],
        strategy=instance['strategy'],
        deployment=dict(replicas=instance['replicas']),
        log=dict(level=instance['log_level'], json=instance['log_format'] == 'json'),
        scheduler=dict(address=addresses['scheduler']),
        controlPlane=dict(
            namespace=cp_ns,
            trustDomain=trust_domain,
            # Defect 1: Sentry and the operator listen on 443 since Dapr 1.14; the chart says 80.
            operator=_host_port(addresses['operator']),
            sentry=_host_port(addresses['sentry']),
            placementServer=_host_port(addresses['placement']),
        ),
        scheduling=dict(nodeSelector=instance['node_selector']),
        daprd=daprd,
    )
    values = dict(shared=shared, tolerations=instance['tolerations'], affinity=instance['affinity'],
                  podAnnotations=dict(instance['annotations']),
                  imagePullSecrets=[dict(name=n) for n in instance['image_pull_secrets']])
    return values
