#!/bin/sh
# Starts Chromium as a background process: nice 5, and (run as root) without CAP_SYS_NICE, so it
# cannot raise its own browser and GPU processes to nice -8 as it otherwise does. The browsers
# stand in for callers' own machines; sharing this machine's two cores at a higher priority than
# the server under test, they starved it (seen: 3-5 s replies in the first minute of a run, which
# put the recorded answers over the bot's questions). E2E_CHROMIUM_BINARY is the real browser.
set -e
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
  exec setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice nice -n 5 "$E2E_CHROMIUM_BINARY" "$@"
fi
exec nice -n 5 "$E2E_CHROMIUM_BINARY" "$@"
