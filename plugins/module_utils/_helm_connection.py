# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: Helm runs with the module's own identity. Pure.

kubernetes.core.helm takes six connection options (kubeconfig, context, host, api_key, validate_certs,
ca_cert); the module takes all of kubernetes.core's (impersonation, client certificate, proxy, ...). So Helm
gets neither options nor K8S_AUTH_* variables: it gets a kubeconfig of its own, written for the run from
the connection the module's client actually uses (server, CA, TLS server name, proxy, credentials and
impersonation headers), and a wrapper that makes that kubeconfig the only source of Helm's connection.
What a kubeconfig cannot say is refused before any change, by name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ipaddress

try:
    from urllib.parse import quote, urlsplit, urlunsplit
except ImportError:  # Python 2 is not supported by the modules; keeps the import sanity test quiet
    from urlparse import urlsplit, urlunsplit  # type: ignore
    from urllib import quote  # type: ignore

NAME = 'daprkit'
# Helm's connection variables (pkg/cli/environment.go): the wrapper unsets them all, so that a variable of the
# host (or one kubernetes.core.helm derives from a K8S_AUTH_* fallback) cannot override the kubeconfig.
HELM_CONNECTION_VARIABLES = ('HELM_KUBECONTEXT', 'HELM_KUBETOKEN', 'HELM_KUBEASUSER', 'HELM_KUBEASGROUPS',
                             'HELM_KUBEAPISERVER', 'HELM_KUBECAFILE', 'HELM_KUBETLS_SERVER_NAME',
                             'HELM_KUBEINSECURE_SKIP_TLS_VERIFY')


def _b64(data):
    if not isinstance(data, bytes):
        data = data.encode('utf-8')
    return base64.b64encode(data).decode('ascii')


def bypasses_proxy(url, no_proxy):
    """Whether the kubernetes client skips the proxy for url (its no_proxy rules: '*', host or domain
    suffixes, host:port, CIDRs). A kubeconfig has no no_proxy: for the one server Helm talks to, the
    answer decides whether proxy-url is written at all."""
    parts = urlsplit(url)
    if not parts.hostname:
        return True
    host, host_port = parts.hostname.lower(), parts.netloc.lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in (e.strip().lower() for e in (no_proxy or '').split(',')):
        if not entry:
            continue
        if entry == '*':
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
        entry = entry.lstrip('.')
        if host == entry or host.endswith('.' + entry) or host_port == entry or host_port.endswith('.' + entry):
            return True
    return False


def _basic(value):
    """'Basic dXNlcjpwYXNz' -> ('user', 'pass'); None when it is not Basic."""
    if not value or not value.lower().startswith('basic '):
        return None
    try:
        user, _sep, password = base64.b64decode(value[6:].strip()).decode('utf-8').partition(':')
    except (TypeError, ValueError):
        return None
    return user, password


def _proxy_url(proxy, proxy_headers, refused):
    headers = dict((str(k).lower(), v) for k, v in (proxy_headers or {}).items())
    auth = headers.pop('proxy-authorization', None)
    for header, option in (('authorization', 'proxy_headers.basic_auth'), ('user-agent', 'proxy_headers.user_agent')):
        if header in headers:
            headers.pop(header)
            refused.append(option)
    refused.extend('proxy_headers (%s)' % h for h in sorted(headers))
    if not auth:
        return proxy
    credentials = _basic(auth)
    if credentials is None:
        refused.append('proxy_headers.proxy_basic_auth')
        return proxy
    parts = urlsplit(proxy)
    netloc = '%s:%s@%s' % (quote(credentials[0], safe=''), quote(credentials[1], safe=''),
                           parts.netloc.rpartition('@')[2])
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def kubeconfig(conn):
    """(kubeconfig for Helm, [connection options it cannot carry]) from the module client's connection.

    conn (see _client.connection): host, verify_ssl, ca_data, cert_data, key_data, authorization (the
    Authorization header the client sends), tls_server_name, proxy, no_proxy, proxy_headers,
    impersonate_user, impersonate_groups, other_headers.
    """
    refused = []
    cluster = dict(server=conn['host'])
    if conn.get('verify_ssl') is False:
        cluster['insecure-skip-tls-verify'] = True
    elif conn.get('ca_data'):
        cluster['certificate-authority-data'] = _b64(conn['ca_data'])
    if conn.get('tls_server_name'):
        cluster['tls-server-name'] = conn['tls_server_name']
    if conn.get('proxy') and not bypasses_proxy(conn['host'], conn.get('no_proxy')):
        cluster['proxy-url'] = _proxy_url(conn['proxy'], conn.get('proxy_headers'), refused)

    user = {}
    authorization = conn.get('authorization') or ''
    if authorization.lower().startswith('bearer '):
        user['token'] = authorization[7:].strip()
    elif _basic(authorization):
        user['username'], user['password'] = _basic(authorization)
    elif authorization:
        refused.append('api_key (an Authorization scheme other than Bearer or Basic)')
    if conn.get('cert_data'):
        user['client-certificate-data'] = _b64(conn['cert_data'])
    if conn.get('key_data'):
        user['client-key-data'] = _b64(conn['key_data'])
    if conn.get('impersonate_user'):
        user['as'] = conn['impersonate_user']
    if conn.get('impersonate_groups'):
        user['as-groups'] = list(conn['impersonate_groups'])
    refused.extend('header %s' % h for h in sorted(conn.get('other_headers') or ()))

    config = dict(apiVersion='v1', kind='Config', preferences={},
                  clusters=[dict(name=NAME, cluster=cluster)], users=[dict(name=NAME, user=user)],
                  contexts=[dict(name=NAME, context=dict(cluster=NAME, user=NAME))], **{'current-context': NAME})
    return config, refused


# Options (or their K8S_AUTH_* variables) that kubernetes.core.helm cannot pass to Helm: it takes only kubeconfig,
# context, host, api_key, validate_certs and ca_cert. persist_config is not here: it changes no identity.
HELM_MODULE_DROPS = (('impersonate_user', ('IMPERSONATE_USER',)), ('impersonate_groups', ('IMPERSONATE_GROUPS',)),
                     ('client_cert', ('CLIENT_CERT', 'CERT_FILE')), ('client_key', ('CLIENT_KEY', 'KEY_FILE')),
                     ('username', ('USERNAME',)), ('password', ('PASSWORD',)), ('proxy', ('PROXY',)),
                     ('proxy_headers', ('PROXY_HEADERS_PROXY_BASIC_AUTH', 'PROXY_HEADERS_BASIC_AUTH',
                                        'PROXY_HEADERS_USER_AGENT')))


def dropped_by_helm_module(params, environ):
    """The connection options in effect (an option, else its K8S_AUTH_* variable, as kubernetes.core reads them)
    that kubernetes.core.helm would drop: Helm would run with another identity than every other module."""
    dropped = []
    for option, variables in HELM_MODULE_DROPS:
        value = params.get(option)
        if isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if v is not None)
        if value or any(environ.get('K8S_AUTH_%s' % v) for v in variables):
            dropped.append(option)
    return dropped


def secrets_of(config):
    """The credential strings of a kubeconfig from kubeconfig(), to keep out of every output."""
    user = config['users'][0]['user']
    found = set(v for k, v in user.items() if k in ('token', 'password', 'client-key-data') and v)
    proxy = config['clusters'][0]['cluster'].get('proxy-url')
    if proxy and '@' in proxy:
        found.add(proxy)
    return found


def _sh(value):
    return "'%s'" % value.replace("'", "'\"'\"'")


def wrapper(helm, kubeconfig_path, plugins_dir):
    """The helm kubernetes.core.helm runs (its binary_path): the real helm, with the run's kubeconfig as its
    only connection and a plugins directory holding only the collection's post-renderer."""
    return '\n'.join([
        '#!/bin/sh',
        '# daprkit.dapr: helm for one task; the connection is the module\'s own (kubeconfig written for this run)',
        'unset %s' % ' '.join(HELM_CONNECTION_VARIABLES),
        'KUBECONFIG=%s' % _sh(kubeconfig_path),
        'HELM_PLUGINS=%s' % _sh(plugins_dir),
        'export KUBECONFIG HELM_PLUGINS',
        'exec %s "$@"' % _sh(helm),
        '',
    ])
