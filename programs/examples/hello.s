# hello.s: the smallest complete ringlab program.
#
# The machine starts at the entry point (_start) in ring 0 with paging off: bare metal. The
# program writes a string to the console port one byte at a time with the privileged `out`
# instruction, then writes 0 to the power port, which stops the machine with exit code 0.
#
#   npx ringlab run programs/examples/hello.s
#   npx ringlab run programs/examples/hello.s --stats     # cycles, instructions, worlds

        .include "../lib/hw.inc"

_start: la   a0, message
.next:  lbu  t0, 0(a0)          # load one byte of the string
        beqz t0, .done          # the zero terminator ends it
        out  CONSOLE_DATA, t0   # send the byte to the console
        addi a0, a0, 1
        j    .next
.done:  out  POWER_OFF, zero    # power off with exit code 0

message:
        .asciz "Hello from ring 0!\n"
