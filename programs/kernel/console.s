# console.s: the kernel's console driver. The console is a byte port (CONSOLE_DATA); the
# routines are the shared ones of programs/lib/console.s:
#   putc(a0), puts(a0 = string), print_dec(a0), print_hex(a0); they clobber a0-a3 and t0-t3 only.
# Kernel messages go out with writer_pid = 0, so the host can tell them from a process's write().

        .include "../lib/console.s"
