#!/usr/bin/python3
"""Drive python3-dbusmock's notification server from a test script.

Usage (on the session bus of the test, see notify.sh):
  notify-mock.py calls          every Notify and CloseNotification call the
                                mock received, one JSON object a line, in order;
                                a Notify carries the id the mock gave it
  notify-mock.py action ID KEY  the server says: action KEY of notification ID
                                was invoked (ActionInvoked)
  notify-mock.py closed ID R    the server says: notification ID closed, reason R
  notify-mock.py hang SECONDS   from now on, Notify takes that long to answer
                                (and the whole server with it: a hung server)

The signals must come from the server's own connection (libnotify ignores
ActionInvoked from anyone else), so they go through the mock's EmitSignal.
"""
import json
import sys

import dbus

NAME = 'org.freedesktop.Notifications'
PATH = '/org/freedesktop/Notifications'


def plain(v):
    """A D-Bus value as plain JSON-able Python."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64,
                      dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def main(argv):
    mock = dbus.Interface(dbus.SessionBus().get_object(NAME, PATH),
                          'org.freedesktop.DBus.Mock')
    cmd = argv[1] if len(argv) > 1 else ''
    if cmd == 'calls':
        next_id = 1
        for stamp, method, args in mock.GetCalls():
            args = plain(args)
            if method == 'Notify':
                app, replaces, icon, summary, body, actions, hints, \
                    timeout = args
                if replaces:
                    nid = replaces
                else:
                    nid = next_id
                    next_id += 1
                print(json.dumps({
                    'method': 'Notify', 'id': nid, 'app': app,
                    'replaces': replaces, 'icon': icon, 'summary': summary,
                    'body': body, 'actions': actions, 'hints': hints,
                    'timeout': timeout}))
            elif method == 'CloseNotification':
                print(json.dumps({'method': 'CloseNotification',
                                  'id': args[0]}))
            else:
                print(json.dumps({'method': str(method)}))
    elif cmd == 'action' and len(argv) == 4:
        mock.EmitSignal(NAME, 'ActionInvoked', 'us',
                        [dbus.UInt32(int(argv[2])), argv[3]])
    elif cmd == 'closed' and len(argv) == 4:
        mock.EmitSignal(NAME, 'NotificationClosed', 'uu',
                        [dbus.UInt32(int(argv[2])), dbus.UInt32(int(argv[3]))])
    elif cmd == 'hang' and len(argv) == 3:
        mock.AddMethod(NAME, 'Notify', 'susssasa{sv}i', 'u',
                       'import time\ntime.sleep(%d)\nret = 4242' %
                       int(argv[2]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
