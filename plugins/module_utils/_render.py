# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: render the Kubernetes objects of one Dapr Shared instance.

Pure functions: an instance (defaults applied, validated) plus a ControlPlane context in,
a list of plain dicts out. Nothing here talks to a cluster.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S


def fingerprint(text):
    """A short, non-reversible digest used in pod annotations so that changes roll the pods."""
    return hashlib.sha256((text or '').encode('utf-8')).hexdigest()[:16]


def _method(instance):
    return instance.get('method') or 'manifests'


def common_labels(instance, version, owner=None):
    """Labels of every object. owner: the backend that owns the object (default: the instance's)."""
    owner = owner or _method(instance)
    labels = dict(instance.get('labels') or {})
    labels.update(S.selector_labels(instance['app_id'], _method(instance)))
    labels.update(S.owner_labels(instance['app_id'], owner))
    labels[S.LABEL_COMPONENT] = 'daprd'
    if version:
        labels[S.LABEL_VERSION] = version.lstrip('v')
    return labels


def _metadata(instance, name, version, owner=None):
    meta = dict(name=name, namespace=instance['namespace'], labels=common_labels(instance, version, owner))
    if instance.get('annotations'):
        meta['annotations'] = dict(instance['annotations'])
    return meta


def dapr_config(instance):
    """The Dapr Configuration daprd reads: the user's, or ours for clustered workflows, or none."""
    if instance['config']:
        return instance['config']
    if instance['workflows']['clustered']:
        return S.names(instance['app_id'])['configuration']
    return ''


def configuration(instance, version):
    """Several daprd serve one app id: its workflows need the clustered-deployment feature."""
    return dict(apiVersion='dapr.io/v1alpha1', kind='Configuration',
                metadata=_metadata(instance, S.names(instance['app_id'])['configuration'], version),
                spec=dict(features=[dict(name='WorkflowsClusteredDeployment', enabled=True)]))


def daprd_args(instance, cp, addresses):
    """daprd's command line, flag for flag what the sidecar injector would pass, plus Shared's needs."""
    args = [
        '/daprd',
        '--mode', 'kubernetes',
        '--app-id', instance['app_id'],
        '--dapr-http-port', str(S.HTTP_PORT),
        '--dapr-grpc-port', str(S.GRPC_PORT),
        '--dapr-internal-grpc-port', str(S.INTERNAL_GRPC_PORT),
        '--dapr-public-port', str(S.PUBLIC_PORT),
        # A shared daprd is reached over the pod network, never over localhost.
        '--dapr-listen-addresses', '0.0.0.0',
        '--app-protocol', instance['app_protocol'],
        '--log-level', instance['log_level'],
        '--control-plane-address', addresses['operator'],
        '--sentry-address', addresses['sentry'],
        '--placement-host-address', addresses['placement'],
        # daprd >= 1.17 ignores DAPR_SCHEDULER_HOST_ADDRESS: only the flag works.
        '--scheduler-host-address', addresses['scheduler'],
        '--enable-api-logging=%s' % str(bool(instance['api_logging'])).lower(),
        # The pods carry no Kubernetes API token (least privilege), so the built-in Kubernetes
        # secret store could only fail; secret stores are declared as Components instead.
        '--disable-builtin-k8s-secret-store',
        '--dapr-graceful-shutdown-seconds', str(instance['rollout']['graceful_shutdown_seconds']),
    ]
    if instance['remote_port']:
        args += ['--app-port', str(instance['remote_port']), '--app-channel-address', instance['remote_host']]
    metrics = instance['metrics']
    if metrics['enabled']:
        args += ['--enable-metrics', '--metrics-port', str(metrics['port'])]
    else:
        args += ['--enable-metrics=false']
    if cp.mtls:
        args.append('--enable-mtls')
    if instance['log_format'] == 'json':
        args.append('--log-as-json')
    if dapr_config(instance):
        args += ['--config', dapr_config(instance)]
    health = instance['app_health']
    if health['enabled']:
        args += ['--enable-app-health-check', '--app-health-check-path', health['path'],
                 '--app-health-probe-interval', str(health['probe_interval']),
                 '--app-health-probe-timeout', str(health['probe_timeout']),
                 '--app-health-threshold', str(health['threshold'])]
    return args


def _env(instance, cp):
    env = [
        dict(name='NAMESPACE', valueFrom=dict(fieldRef=dict(fieldPath='metadata.namespace'))),
        dict(name='POD_NAME', valueFrom=dict(fieldRef=dict(fieldPath='metadata.name'))),
        dict(name='DAPR_HOST_IP', valueFrom=dict(fieldRef=dict(fieldPath='status.podIP'))),
        dict(name='DAPR_TRUST_ANCHORS', valueFrom=dict(configMapKeyRef=dict(
            name=S.names(instance['app_id'])['trust_anchors'], key='ca.crt'))),
        dict(name='DAPR_CONTROLPLANE_NAMESPACE', value=cp.namespace),
        dict(name='DAPR_CONTROLPLANE_TRUST_DOMAIN', value=cp.trust_domain),
    ]
    for field, variable, _suffix, _annotation in S.TOKEN_FIELDS:
        ref = S.token_secret_ref(instance, field)
        if ref:
            env.append(dict(name=variable, valueFrom=dict(secretKeyRef=dict(name=ref[0], key=ref[1]))))
    return env


def _container(instance, cp, version, addresses):
    ports = [
        dict(name='dapr-http', containerPort=S.HTTP_PORT, protocol='TCP'),
        dict(name='dapr-grpc', containerPort=S.GRPC_PORT, protocol='TCP'),
        dict(name='dapr-internal', containerPort=S.INTERNAL_GRPC_PORT, protocol='TCP'),
        dict(name='dapr-public', containerPort=S.PUBLIC_PORT, protocol='TCP'),
    ]
    if instance['metrics']['enabled']:
        ports.append(dict(name='dapr-metrics', containerPort=instance['metrics']['port'], protocol='TCP'))
    # Ready means daprd serves the Dapr APIs (state, publish, invoking others): /v1.0/healthz/outbound. Plain
    # healthz also waits for the app channel, so a daprd started while its app is scaled to zero (a rollout, a
    # new node, a restart) would never become Ready, the very case Dapr Shared exists for. The app's presence
    # is reported apart (_app.py).
    probe = dict(httpGet=dict(path='/v1.0/healthz/outbound', port=S.PUBLIC_PORT, scheme='HTTP'),
                 periodSeconds=3, timeoutSeconds=3, failureThreshold=3, successThreshold=1)
    container = dict(
        name='daprd',
        image='%s:%s' % (instance['daprd_image'], version.lstrip('v')),
        imagePullPolicy=instance['image_pull_policy'],
        args=daprd_args(instance, cp, addresses),
        env=_env(instance, cp),
        ports=ports,
        readinessProbe=dict(probe, initialDelaySeconds=1),
        # Callers keep picking this pod until its endpoint is gone: keep serving meanwhile, then daprd
        # drains in-flight requests for graceful_shutdown_seconds (the image has no shell: a sleep action).
        lifecycle=dict(preStop=dict(sleep=dict(seconds=instance['rollout']['pre_stop_seconds'])))
        if instance['rollout']['pre_stop_seconds'] else None,
        # Liveness only asks whether daprd is alive: restarting a shared daprd because its app is away
        # would not bring the app back.
        livenessProbe=dict(tcpSocket=dict(port=S.PUBLIC_PORT), initialDelaySeconds=10, periodSeconds=10,
                           timeoutSeconds=3, failureThreshold=6, successThreshold=1),
        securityContext=dict(
            runAsNonRoot=True, runAsUser=S.NONROOT_UID, runAsGroup=S.NONROOT_UID,
            allowPrivilegeEscalation=False, readOnlyRootFilesystem=True,
            capabilities=dict(drop=['ALL']), seccompProfile=dict(type='RuntimeDefault'),
        ),
        volumeMounts=[
            dict(name='dapr-identity-token', mountPath=S.SENTRY_TOKEN_PATH, readOnly=True),
            dict(name='tmp', mountPath='/tmp'),
        ],
    )
    if container['lifecycle'] is None:
        del container['lifecycle']
    if instance['resources']:
        container['resources'] = instance['resources']
    return container


def pod_template(instance, cp, version, token_hashes):
    addresses = S.resolve_addresses(instance, cp.namespace)
    labels = dict(instance.get('labels') or {})
    labels.update(S.selector_labels(instance['app_id'], _method(instance)))
    labels[S.LABEL_STRATEGY] = instance['strategy']
    labels[S.ANNOTATION_APP_ID] = instance['app_id']
    annotations = dict(instance.get('annotations') or {})
    annotations[S.ANNOTATION_APP_ID] = instance['app_id']
    annotations[S.ANNOTATION_TRUST_HASH] = fingerprint(cp.ca_crt)
    if dapr_config(instance):
        annotations[S.ANNOTATION_CONFIG] = dapr_config(instance)
    for field, _variable, _suffix, annotation in S.TOKEN_FIELDS:
        if S.token_secret_ref(instance, field):
            annotations[annotation] = token_hashes.get(field) or ''
    audience = 'spiffe://%s/ns/%s/dapr-sentry' % (cp.trust_domain, cp.namespace)
    spec = dict(
        serviceAccountName=S.names(instance['app_id'], _method(instance))['service_account'],
        # Only the projected Sentry token is mounted; daprd needs no Kubernetes API token.
        automountServiceAccountToken=False,
        enableServiceLinks=False,
        terminationGracePeriodSeconds=max(30, instance['rollout']['pre_stop_seconds']
                                          + instance['rollout']['graceful_shutdown_seconds'] + 10),
        securityContext=dict(runAsNonRoot=True, runAsUser=S.NONROOT_UID, runAsGroup=S.NONROOT_UID,
                             fsGroup=S.NONROOT_UID, seccompProfile=dict(type='RuntimeDefault')),
        containers=[_container(instance, cp, version, addresses)],
        volumes=[
            dict(name='dapr-identity-token', projected=dict(defaultMode=420, sources=[dict(
                serviceAccountToken=dict(audience=audience, expirationSeconds=7200, path='token'))])),
            dict(name='tmp', emptyDir=dict()),
        ],
    )
    for key, field in (('nodeSelector', 'node_selector'), ('tolerations', 'tolerations'),
                       ('affinity', 'affinity'), ('priorityClassName', 'priority_class_name')):
        if instance.get(field):
            spec[key] = instance[field]
    if instance.get('image_pull_secrets'):
        spec['imagePullSecrets'] = [dict(name=n) for n in instance['image_pull_secrets']]
    return dict(metadata=dict(labels=labels, annotations=annotations), spec=spec)


def workload(instance, cp, version, token_hashes):
    meta = _metadata(instance, S.names(instance['app_id'], _method(instance))['workload'], version)
    template = pod_template(instance, cp, version, token_hashes)
    spec = dict(selector=dict(matchLabels=S.selector_labels(instance['app_id'], _method(instance))),
                template=template, revisionHistoryLimit=5)
    rollout = instance['rollout']
    rolling = dict(type='RollingUpdate', rollingUpdate=dict(maxUnavailable=rollout['max_unavailable'],
                                                            maxSurge=rollout['max_surge']))
    if instance['strategy'] == 'daemonset':
        spec['updateStrategy'] = rolling
        return dict(apiVersion='apps/v1', kind='DaemonSet', metadata=meta, spec=spec)
    spec['replicas'] = instance['replicas']
    spec['strategy'] = rolling
    if instance['topology_spread']:
        template['spec']['topologySpreadConstraints'] = [dict(
            maxSkew=1, topologyKey='kubernetes.io/hostname', whenUnsatisfiable='ScheduleAnyway',
            labelSelector=dict(matchLabels=S.selector_labels(instance['app_id'], _method(instance))))]
    return dict(apiVersion='apps/v1', kind='Deployment', metadata=meta, spec=spec)


def disruption_budget(instance, version):
    return dict(
        apiVersion='policy/v1', kind='PodDisruptionBudget',
        metadata=_metadata(instance, S.names(instance['app_id'])['disruption_budget'], version),
        spec=dict(maxUnavailable=instance['disruption_budget']['max_unavailable'],
                  unhealthyPodEvictionPolicy=instance['disruption_budget']['unhealthy_pod_eviction_policy'],
                  selector=dict(matchLabels=S.selector_labels(instance['app_id'], _method(instance)))))


def service(instance, version):
    ports = [
        dict(name='dapr-http', port=S.HTTP_PORT, targetPort=S.HTTP_PORT, protocol='TCP'),
        dict(name='dapr-grpc', port=S.GRPC_PORT, targetPort=S.GRPC_PORT, protocol='TCP'),
        dict(name='dapr-internal', port=S.INTERNAL_GRPC_PORT, targetPort=S.INTERNAL_GRPC_PORT, protocol='TCP'),
    ]
    if instance['metrics']['enabled']:
        ports.append(dict(name='dapr-metrics', port=instance['metrics']['port'],
                          targetPort=instance['metrics']['port'], protocol='TCP'))
    return dict(
        apiVersion='v1', kind='Service',
        metadata=_metadata(instance, S.names(instance['app_id'])['service'], version),
        spec=dict(
            type='ClusterIP',
            selector=S.selector_labels(instance['app_id'], _method(instance)),
            ports=ports,
            # Per node: a caller reaches the daprd on its own node, never a remote one.
            internalTrafficPolicy='Local' if instance['strategy'] == 'daemonset' else 'Cluster',
        ),
    )


def network_policy(instance, version):
    """Ingress allow-list for the daprd pods."""
    policy = instance['network_policy']
    clients = policy['client_namespaces'] or [instance['namespace']]
    # {} rather than {matchLabels: {}}: the API server stores the former, and a patch with the latter
    # counts as a spec change on every run (generation bump, never idempotent)
    clients_selector = dict(matchLabels=dict(policy['client_pod_selector'])) if policy['client_pod_selector'] else {}
    dapr_pods = dict(matchExpressions=[dict(key=S.ANNOTATION_APP_ID, operator='Exists')])
    if policy['peer_namespaces']:
        # the listed namespaces and the instance's own, where its replicas call each other (actors, workflows)
        peer_namespaces = [instance['namespace']]
        for ns in policy['peer_namespaces']:
            if ns not in peer_namespaces:
                peer_namespaces.append(ns)
        peers = [dict(namespaceSelector=dict(matchLabels={'kubernetes.io/metadata.name': ns}), podSelector=dapr_pods)
                 for ns in peer_namespaces]
    else:  # any namespace: Dapr's service invocation across namespaces
        peers = [dict(namespaceSelector=dict(), podSelector=dapr_pods)]
    ingress = [
        dict(_from=[dict(namespaceSelector=dict(matchLabels={'kubernetes.io/metadata.name': ns}),
                         podSelector=clients_selector) for ns in clients],
             ports=[dict(port=S.HTTP_PORT, protocol='TCP'), dict(port=S.GRPC_PORT, protocol='TCP')]),
        dict(_from=peers, ports=[dict(port=S.INTERNAL_GRPC_PORT, protocol='TCP')]),
    ]
    if policy['monitoring_namespaces'] and instance['metrics']['enabled']:
        ingress.append(dict(_from=[dict(namespaceSelector=dict(matchLabels={'kubernetes.io/metadata.name': ns}))
                                   for ns in policy['monitoring_namespaces']],
                            ports=[dict(port=instance['metrics']['port'], protocol='TCP')]))
    for rule in ingress:  # 'from' is a Python keyword
        rule['from'] = rule.pop('_from')
    return dict(
        apiVersion='networking.k8s.io/v1', kind='NetworkPolicy',
        metadata=_metadata(instance, S.names(instance['app_id'])['network_policy'], version),
        spec=dict(podSelector=dict(matchLabels=S.selector_labels(instance['app_id'], _method(instance))),
                  policyTypes=['Ingress'], ingress=ingress))


def render_instance(instance, cp, version, tokens=None):
    """All objects of one instance, in apply order, for the instance's backend.

    tokens: {field of TOKEN_FIELDS: (value, hash)}. value is the token when this collection owns its
    Secret (generated or given), None when the Secret is the user's (then hash is read from it).
    Token Secrets always belong to this collection (never to a Helm release, whose history would keep
    the token); with method helm every other object is part of the release (see _helm.py).
    """
    n = S.names(instance['app_id'], _method(instance))
    objects = [
        dict(apiVersion='v1', kind='ServiceAccount', automountServiceAccountToken=False,
             metadata=_metadata(instance, n['service_account'], version)),
        # Only the public trust bundle: never the issuer key.
        dict(apiVersion='v1', kind='ConfigMap', metadata=_metadata(instance, n['trust_anchors'], version),
             data={'ca.crt': cp.ca_crt}),
    ]
    hashes = {}
    for field, _variable, _suffix, _annotation in S.TOKEN_FIELDS:
        ref = S.token_secret_ref(instance, field)
        value, digest = (tokens or {}).get(field) or (None, None)
        if ref and value is not None:
            objects.append(dict(
                apiVersion='v1', kind='Secret', type='Opaque',
                metadata=_metadata(instance, ref[0], version, owner='manifests'),
                data={ref[1]: base64.b64encode(value.encode('utf-8')).decode('ascii')}))
            digest = fingerprint(value)
        hashes[field] = digest
    if dapr_config(instance) and not instance['config']:
        objects.append(configuration(instance, version))
    objects.append(workload(instance, cp, version, hashes))
    objects.append(service(instance, version))
    if instance['network_policy']['enabled']:
        objects.append(network_policy(instance, version))
    if instance['strategy'] == 'deployment' and instance['disruption_budget']['enabled']:
        objects.append(disruption_budget(instance, version))
    return objects


def is_token_secret(obj):
    return obj['kind'] == 'Secret' and (obj['metadata'].get('labels') or {}).get(S.LABEL_MANAGED_BY) == S.MANAGED_BY
