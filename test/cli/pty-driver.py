#!/usr/bin/env python3
# Drives a command on a real pseudo-terminal, as a person at a keyboard would (test/cli/shell.test.ts
# uses it; node has no pty module of its own). Input: one JSON object on stdin,
#   {"argv": [...], "cwd": DIR, "env": {...}, "timeout": SECONDS, "steps": [STEP, ...]}
# where a STEP is {"send": TEXT} (typed bytes, latin-1), {"expect": REGEX} (wait until the
# output since the last match matches), {"signal": NAME} (sent to the command) or {"close": true}
# (the terminal goes away: the master side is closed) or {"sleep": SECONDS} (nobody types).
# Output: one JSON object,
#   {"status": EXIT CODE or -SIGNAL, "transcript": ALL OUTPUT, "failed": null or why,
#    "restored": whether the terminal's mode after the command equals the mode before it (null
#    after a "close" step),
#    "cpuSeconds": the command's CPU time (for a person to look at; tests assert no timing)}.
import json, os, re, resource, select, signal, subprocess, sys, termios, time

spec = json.load(sys.stdin)
deadline = time.monotonic() + spec.get("timeout", 120)
master, slave = os.openpty()
before = termios.tcgetattr(slave)
env = dict(os.environ, **spec.get("env", {}))
env.setdefault("TERM", "xterm")
proc = subprocess.Popen(spec["argv"], cwd=spec.get("cwd"), env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
out = bytearray()
cursor = 0
failed = None
master_open = True


def pump(wait):
    """Read what the command wrote, for at most `wait` seconds; False once it is gone."""
    global master_open
    if not master_open:
        time.sleep(wait)
        return proc.poll() is None
    r, _, _ = select.select([master], [], [], wait)
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if data:
            out.extend(data)
    return proc.poll() is None


for step in spec["steps"]:
    if "send" in step:
        data = step["send"].encode("latin-1")
        while data:
            pump(0)
            n = os.write(master, data[:1024])
            data = data[n:]
    elif "expect" in step:
        pattern = re.compile(step["expect"].encode("latin-1"), re.S)
        while True:
            m = pattern.search(bytes(out), cursor)
            if m:
                cursor = m.end()
                break
            if time.monotonic() > deadline:
                failed = "timed out waiting for %r" % step["expect"]
                break
            if not pump(0.05) and not pattern.search(bytes(out), cursor):
                pump(0.2)
                if not pattern.search(bytes(out), cursor):
                    failed = "the command ended before %r" % step["expect"]
                    break
        if failed:
            break
    elif "signal" in step:
        proc.send_signal(getattr(signal, step["signal"]))
    elif "sleep" in step:
        end = time.monotonic() + step["sleep"]
        while time.monotonic() < end:
            pump(0.05)
    elif "close" in step:
        os.close(master)
        master_open = False

while proc.poll() is None and time.monotonic() < deadline:
    pump(0.05)
if proc.poll() is None:
    failed = failed or "the command did not end"
    proc.kill()
    proc.wait()
if master_open:
    while True:
        r, _, _ = select.select([master], [], [], 0.1)
        if not r:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out.extend(data)
try:
    after = termios.tcgetattr(slave)
except termios.error:
    after = None  # the terminal is gone (a "close" step): there is no mode left to compare
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": proc.returncode, "transcript": out.decode("utf-8", "replace"), "failed": failed, "restored": None if after is None else before == after, "cpuSeconds": usage.ru_utime + usage.ru_stime}))
