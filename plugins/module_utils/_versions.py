# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: Dapr's version policy, in one place for the control-plane role and the module.

Dapr supports control-plane upgrades one minor version at a time, and daprd at most one minor behind
its control plane (N-1, what Dapr's version-skew tests run), never ahead of it. Both rules compare the
leading MAJOR.MINOR of a version, so a custom build tag such as 1.18.2-second counts as 1.18. A version
without a readable MAJOR.MINOR (an image tag such as dev, or none read) cannot be judged: nothing is
refused then, and the caller is told so in a warning.
Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_MINOR = re.compile(r'^v?([0-9]+)\.([0-9]+)(?:[.+-]|$)')


def minor_of(version):
    """(major, minor) of a version or image tag, or None when it does not start with MAJOR.MINOR."""
    match = _MINOR.match(str(version or '').strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _text(minor):
    return '%d.%d' % minor


def upgrade_path(running, requested):
    """The minors an upgrade goes through, one at a time, both ends included: ['1.16', '1.17', '1.18'].

    Only within one major version (Dapr has published no other); None when that cannot be said.
    """
    old, new = minor_of(running), minor_of(requested)
    if not old or not new or old[0] != new[0] or new[1] < old[1]:
        return None
    return [_text((old[0], step)) for step in range(old[1], new[1] + 1)]


def control_plane_upgrade(running, requested, allow_unsupported=False, override='allow_unsupported'):
    """Whether moving the control plane from `running` to `requested` is one Dapr supports.

    Returns dict(allowed, message, warning): `message` explains a refusal, `warning` what was not checked
    or what the override let through. `running` empty means no control plane yet (an install).
    """
    result = dict(allowed=True, message='', warning='', running=running or '', requested=requested or '')
    if not running:
        return result
    old, new = minor_of(running), minor_of(requested)
    if not old or not new:
        unknown = ('the running control plane reports version %r' % running if not old
                   else 'the requested version %r' % requested)
        result['warning'] = ('Dapr control plane %s -> %s: %s, which does not start with MAJOR.MINOR, so the upgrade path '
                             'is not checked (Dapr supports one minor at a time)' % (running, requested, unknown))
        return result
    if old[0] == new[0] and new[1] <= old[1] + 1:
        return result  # the same minor, the next one, or a downgrade (not an upgrade: not this rule)
    path = upgrade_path(running, requested)
    route = ' -> '.join(path) if path else 'none published'
    problem = ('Dapr control plane %s -> %s skips %s: Dapr supports upgrades one minor version at a time, so the '
               'supported path is %s, each step a run of its own'
               % (running, requested, 'a minor version' if path and len(path) == 3 else 'minor versions', route))
    if allow_unsupported:
        result['warning'] = '%s. Upgrading anyway, as %s is true (unsupported by Dapr).' % (problem, override)
        return result
    result.update(allowed=False, message='%s. Nothing was changed. Set %s: true to upgrade anyway (unsupported by Dapr).'
                  % (problem, override))
    return result


def daprd_skew(where, daprd_version, control_plane_version, control_plane_namespace, allow_skew=False,
               field='daprd_version', override='allow_version_skew'):
    """(problem, warning) for a daprd of `daprd_version` joining a control plane: at most one minor behind it.

    `problem` (a refusal) and `warning` are sentences naming the instance (`where`) and the field, or None.
    """
    daprd, control_plane = minor_of(daprd_version), minor_of(control_plane_version)
    if not daprd or not control_plane:
        unknown = ('%s %r' % (field, daprd_version) if not daprd
                   else 'the control plane in %s reports version %r' % (control_plane_namespace, control_plane_version))
        return None, ('%s: %s: %s, which does not start with MAJOR.MINOR: whether daprd %s may join the control plane %s '
                      '(at most one minor behind it) is not checked'
                      % (where, field, unknown, daprd_version, control_plane_version or '(unknown)'))
    if daprd[0] == control_plane[0] and control_plane[1] - 1 <= daprd[1] <= control_plane[1]:
        return None, None
    if daprd > control_plane:
        how = 'is newer than the control plane %s' % control_plane_version
    else:
        how = 'is %s behind the control plane %s' % (
            '%d minor versions' % (control_plane[1] - daprd[1]) if daprd[0] == control_plane[0] else 'a major version',
            control_plane_version)
    accepted = ([_text((control_plane[0], control_plane[1] - 1))] if control_plane[1] > 0 else []) + [_text(control_plane)]
    problem = ('%s: %s: daprd %s %s in %s; Dapr supports daprd at most one minor version behind its control plane, '
               'never ahead: %s' % (where, field, daprd_version, how, control_plane_namespace,
                                    ' or '.join(v + '.x' for v in accepted)))
    if allow_skew:
        return None, '%s. Running it anyway, as %s is true (unsupported by Dapr).' % (problem, override)
    return ('%s. Set %s to one of those, or %s: true to run it anyway (unsupported by Dapr).'
            % (problem, field, override)), None
