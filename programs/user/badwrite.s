# badwrite: write() with bad buffers, the rule of docs/kernel.md ("System calls"). For each case
# it prints "badwrite: <case> [<what write printed>] -> <what write returned>". A buffer that
# wraps past 2^32, or whose first byte the process may not read, prints nothing and returns
# -EFAULT (-14); one that runs into such memory after its first byte prints the bytes before it
# and returns how many (a short write). A descriptor that is not open gives -EBADF (-9), a
# negative length -EINVAL (-22).
        .include "user.inc"
_start: li   sp, STACK_TOP - 16     # the top bytes of the stack hold test data, not frames
        li   a0, STACK_TOP - 2      # the bytes each case can print
        la   a1, s_xy
        call put
        li   a0, HEAP_END - 3
        la   a1, s_abc
        call put
        li   a0, HEAP_BASE + PAGE_SIZE - 2
        la   a1, s_pqrs
        call put
        la   s0, cases
.case:  lw   a0, 0(s0)              # the case's name; 0 ends the table
        beqz a0, .done
        push a0
        la   a0, m_prefix
        call print
        pop  a0
        call print
        la   a0, m_open
        call print
        lw   a0, 4(s0)              # write(fd, buf, len)
        lw   a1, 8(s0)
        lw   a2, 12(s0)
        call write
        mv   s1, a0
        la   a0, m_close
        call print
        mv   a0, s1
        call print_int
        call newline
        addi s0, s0, 16
        j    .case
.done:  li   a0, 0
        call exit

# put(a0 = address, a1 = zero-terminated string): copy the string's bytes (not the zero) there.
put:    lbu  t0, 0(a1)
        beqz t0, .end
        sb   t0, 0(a0)
        addi a0, a0, 1
        addi a1, a1, 1
        j    put
.end:   ret

# print_int(a0): a signed number in decimal.
print_int:
        push ra
        bge  a0, zero, .positive
        push a0
        la   a0, m_minus
        call print
        pop  a0
        neg  a0, a0
.positive:
        call print_dec
        pop  ra
        ret

        .align 4
cases:  .word c_wrap, 1, 0xfffffffe, 4
        .word c_top, 1, STACK_TOP - 2, 4
        .word c_heap, 1, HEAP_END - 3, 6
        .word c_kernel, 1, USER_BASE - 2, 4
        .word c_pages, 1, HEAP_BASE + PAGE_SIZE - 2, 4
        .word c_fd, 3, s_abc, 1
        .word c_negative, 1, s_abc, -1
        .word c_zero, 1, 0xfffffffe, 0
        .word 0

c_wrap:     .asciz "wraps past 2^32"
c_top:      .asciz "runs past the top of user space"
c_heap:     .asciz "runs past the end of the heap"
c_kernel:   .asciz "starts in kernel memory"
c_pages:    .asciz "crosses into the next heap page"
c_fd:       .asciz "fd 3"
c_negative: .asciz "negative length"
c_zero:     .asciz "zero length from a bad address"
s_xy:       .asciz "xy"
s_abc:      .asciz "abc"
s_pqrs:     .asciz "pqrs"
m_prefix:   .asciz "badwrite: "
m_open:     .asciz " ["
m_close:    .asciz "] -> "
m_minus:    .asciz "-"
        .include "lib.s"
