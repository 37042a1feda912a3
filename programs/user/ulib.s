# ulib.s: strings, numbers and error messages for the shell and the utilities. Included at the
# end of lib.s, so every user program has these routines; nothing in lib.s itself calls them, so
# a workload runs exactly the instructions it ran before (its executable is only longer).
#
# The C library of a Unix is mostly this: strlen, strcmp, strcpy, atoi, a write that does not
# give up after a short write, and perror, which turns an errno into words. ringlab's system
# calls return -errno (docs/kernel.md), so every routine that takes an error accepts it negative
# or positive.
#
# Register convention (as lib.s): arguments in a0..a3, the result in a0 (and a1 where said); a
# routine may clobber a0-a3 and t0-t3 and keeps s0-s3, fp and sp. The system-call wrappers
# clobber t0 only (the kernel preserves every other register).

# strlen(a0 = string) -> a0 = bytes before its zero byte.
strlen: mv   t0, a0
.loop:  lbu  t1, 0(t0)
        beqz t1, .done
        addi t0, t0, 1
        j    .loop
.done:  sub  a0, t0, a0
        ret

# strcmp(a0, a1 = strings) -> a0 = 0 if equal, else the difference of the first bytes that
# differ (unsigned), negative if a0's string sorts first.
strcmp: lbu  t0, 0(a0)
        lbu  t1, 0(a1)
        bne  t0, t1, .diff
        beqz t0, .diff                  # both ended: equal (t0 - t1 = 0)
        addi a0, a0, 1
        addi a1, a1, 1
        j    strcmp
.diff:  sub  a0, t0, t1
        ret

# strcpy(a0 = destination, a1 = source) -> a0 = the address of the zero byte written at the end
# of the copy (as stpcpy), so that strings are appended one after another cheaply. The caller
# makes sure the destination has room.
strcpy: lbu  t0, 0(a1)
        sb   t0, 0(a0)
        beqz t0, .done
        addi a0, a0, 1
        addi a1, a1, 1
        j    strcpy
.done:  ret

# atoi(a0 = string) -> a0 = its value as an unsigned decimal number, a1 = 0; or a1 = 1 when the
# string is not a number: empty, a byte other than 0-9, or more than 2^31 - 1 (so the value is
# always a valid non-negative int).
atoi:   mv   t0, a0
        li   a0, 0
        li   a1, 1                      # an empty string is an error
        lbu  t1, 0(t0)
        beqz t1, .out
.digit: lbu  t1, 0(t0)
        beqz t1, .ok
        addi t1, t1, -'0'
        sltiu t2, t1, 10                # unsigned: bytes below '0' wrap to large values
        beqz t2, .bad
        li   t2, 214748364              # a0 * 10 + t1 must stay below 2^31
        bgtu a0, t2, .bad
        li   t2, 10
        mul  a0, a0, t2
        add  a0, a0, t1
        blt  a0, zero, .bad             # 2147483640 + 8 or 9 went negative
        addi t0, t0, 1
        j    .digit
.ok:    li   a1, 0
        ret
.bad:   li   a1, 1
.out:   ret

# write_all(a0 = fd, a1 = buffer, a2 = length) -> a0 = length, or -errno if a write failed
# (some bytes may have gone out before it). write() may write fewer bytes than asked (a pipe
# that fills, a buffer that runs into unmapped memory); this goes on with the rest. A write that
# returns 0 is taken as an error (EIO) rather than looping forever.
write_all:
        push ra
        push s0
        push s1
        push s2
        mv   s0, a0                     # fd
        mv   s1, a1                     # next byte
        mv   s2, a2                     # bytes left
        push a2
.again: ble  s2, zero, .done
        mv   a0, s0
        mv   a1, s1
        mv   a2, s2
        call write
        blt  a0, zero, .fail
        beqz a0, .eio
        add  s1, s1, a0
        sub  s2, s2, a0
        j    .again
.eio:   li   a0, -EIO
.fail:  pop  t1                         # drop the saved length, keep -errno in a0
        j    .out
.done:  pop  a0                         # the length asked for
.out:   pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# print_fd(a0 = fd, a1 = string) -> a0 as write_all: the string without its zero byte.
print_fd:
        push ra
        push a0
        push a1
        mv   a0, a1
        call strlen
        mv   a2, a0
        pop  a1
        pop  a0
        call write_all
        pop  ra
        ret

# print_dec_fd(a0 = fd, a1 = value): the unsigned value in decimal, one write.
print_dec_fd:
        addi sp, sp, -16                # digits are built backwards in a 16-byte stack buffer
        addi t2, sp, 16
        mv   t3, t2                     # end of the digits
        li   t1, 10
.divide:
        remu t0, a1, t1
        addi t0, t0, '0'
        addi t2, t2, -1
        sb   t0, 0(t2)
        divu a1, a1, t1
        bnez a1, .divide
        push ra
        mv   a1, t2
        sub  a2, t3, t2
        call write_all
        pop  ra
        addi sp, sp, 16
        ret

# strerror(a0 = errno, negative or positive) -> a0 = its message: "No such file or directory"
# for ENOENT, ...; for a number not in the table, "error N" (in a static buffer, overwritten
# by the next such call).
strerror:
        bge  a0, zero, .pos
        neg  a0, a0
.pos:   la   t0, ulib_errors            # entries: .byte errno, then the message's zero-ended text
.find:  lbu  t1, 0(t0)
        beqz t1, .unknown               # the table ends with errno 0
        addi t0, t0, 1
        beq  t1, a0, .found
.skip:  lbu  t1, 0(t0)                  # step over this message
        addi t0, t0, 1
        bnez t1, .skip
        j    .find
.found: mv   a0, t0
        ret
.unknown:
        la   t0, ulib_errnum_end        # "error " then the decimal number, built backwards
        li   t1, 10
        sb   zero, 0(t0)
.digit: remu t2, a0, t1
        addi t2, t2, '0'
        addi t0, t0, -1
        sb   t2, 0(t0)
        divu a0, a0, t1
        bnez a0, .digit
        la   t1, ulib_error_word        # "error " is 6 bytes: copy it in front of the digits
        addi t0, t0, -6
        mv   a0, t0
.copy:  lbu  t2, 0(t1)
        beqz t2, .built
        sb   t2, 0(t0)
        addi t0, t0, 1
        addi t1, t1, 1
        j    .copy
.built: ret

# err_msg(a0 = program name, a1 = argument or 0, a2 = message): "name: argument: message\n" on
# descriptor 2, the form in which every utility and the shell report a failure; without the
# argument, "name: message\n".
err_msg:
        push ra
        push s0
        push s1
        mv   s0, a1
        mv   s1, a2
        mv   a1, a0
        li   a0, 2
        call print_fd
        beqz s0, .noarg
        li   a0, 2
        la   a1, ulib_colon
        call print_fd
        li   a0, 2
        mv   a1, s0
        call print_fd
.noarg: li   a0, 2
        la   a1, ulib_colon
        call print_fd
        li   a0, 2
        mv   a1, s1
        call print_fd
        li   a0, 2
        la   a1, lib_nl
        call print_fd
        pop  s1
        pop  s0
        pop  ra
        ret

# perror(a0 = program name, a1 = argument or 0, a2 = errno, negative or positive):
# err_msg with strerror's message, e.g. "cat: nosuch: No such file or directory".
perror: push ra
        push a0
        push a1
        mv   a0, a2
        call strerror
        mv   a2, a0
        pop  a1
        pop  a0
        call err_msg
        pop  ra
        ret

# exec_command(a0 = the argv of a COMMAND: argv[0] is COMMAND, or a0 = 0 (or argv[0] = 0) for
# /bin/sh; a1 = the caller's name, for messages): exec COMMAND the way chroot, unshare and
# nsenter do. A COMMAND without a `/` is looked up in /bin, as the shell does (a name longer than
# NAME_MAX is exec'd as it is: the kernel says what is wrong with it). Never returns: when exec
# fails it prints "NAME: COMMAND: message" and exits 127 when COMMAND does not exist, 126 when it
# cannot run (coreutils' and util-linux's codes).
exec_command:
        mv   s0, a1                 # s0 = the caller's name (nothing to keep: no return)
        beqz a0, .sh
        lw   s1, 0(a0)              # s1 = COMMAND
        beqz s1, .sh
        mv   s2, a0                 # s2 = argv
        mv   a0, s1
.slash: lbu  t1, 0(a0)              # a `/` in it: run it as it is
        beqz t1, .inbin
        addi a0, a0, 1
        li   t2, '/'
        bne  t1, t2, .slash
        mv   a0, s1
        j    .run
.inbin: mv   a0, s1
        call strlen
        li   t1, NAME_MAX
        mv   t2, a0
        mv   a0, s1
        bgtu t2, t1, .run
        la   a0, ulib_path
        la   a1, ulib_bin
        call strcpy
        mv   a1, s1
        call strcpy
        la   a0, ulib_path
        j    .run
.sh:    la   s1, ulib_sh            # no COMMAND: the shell
        la   s2, ulib_sh_argv
        mv   a0, s1
.run:   mv   a1, s2
        call exec
        mv   a2, a0
        mv   a0, s0
        mv   a1, s1
        push a2
        call perror
        pop  a2
        li   a0, 127
        li   t1, -ENOENT
        beq  a2, t1, .exit
        li   a0, 126
.exit:  call exit

# ns_flag(a0 = an argument) -> a0 = the CLONE_NEW* flag of a namespace option ("-u" UTS, "-p"
# pid, "-i" IPC, "-n" network, "-m" mount: util-linux's letters), or 0 when the argument is not
# one of them.
ns_flag:
        lbu  t1, 0(a0)
        li   t2, '-'
        bne  t1, t2, .no
        lbu  t1, 2(a0)                  # one letter
        bnez t1, .no
        lbu  t1, 1(a0)
        la   t2, ulib_ns_letters
.find:  lbu  t3, 0(t2)
        beqz t3, .no
        addi t2, t2, 1
        bne  t1, t3, .find
        la   t3, ulib_ns_letters + 1    # the flag is the word at the letter's index
        sub  t2, t2, t3
        slli t2, t2, 2
        la   t3, ulib_ns_flags
        add  t3, t3, t2
        lw   a0, 0(t3)
        ret
.no:    li   a0, 0
        ret

# wait_exit(): wait for a child and exit as it did: with its exit code, or 128 + the signal that
# ended it, as a shell reports it (unshare --fork and nsenter with a pid namespace end so).
wait_exit:
        li   a0, -1
        la   a1, ulib_status
        li   a2, 0
        call wait
        la   t0, ulib_status
        lw   t0, 0(t0)
        andi a0, t0, W_SIGMASK
        beqz a0, .code
        addi a0, a0, 128
        call exit
.code:  srli a0, t0, W_EXITCODE_SHIFT
        call exit

ulib_sh:         .asciz "/bin/sh"
ulib_bin:        .asciz "/bin/"
ulib_sh_name:    .asciz "sh"
ulib_path:       .space 5 + NAME_MAX + 1    # "/bin/" + a name + its zero byte
        .align 4
ulib_sh_argv:    .word ulib_sh_name, 0
ulib_status:     .word 0
ulib_ns_flags:   .word CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS
ulib_ns_letters: .asciz "upinm"
ulib_colon:      .asciz ": "
ulib_error_word: .asciz "error "
ulib_errnum:     .space 16                  # "error " is copied in front of up to 10 digits
ulib_errnum_end: .byte 0
# The messages of the common errors (glibc's words), each `.byte errno` then the text.
ulib_errors:
        .byte EPERM
        .asciz "Operation not permitted"
        .byte ENOENT
        .asciz "No such file or directory"
        .byte ESRCH
        .asciz "No such process"
        .byte EIO
        .asciz "Input/output error"
        .byte E2BIG
        .asciz "Argument list too long"
        .byte ENOEXEC
        .asciz "Exec format error"
        .byte EBADF
        .asciz "Bad file descriptor"
        .byte ECHILD
        .asciz "No child processes"
        .byte EAGAIN
        .asciz "Resource temporarily unavailable"
        .byte ENOMEM
        .asciz "Cannot allocate memory"
        .byte EACCES
        .asciz "Permission denied"
        .byte EFAULT
        .asciz "Bad address"
        .byte EBUSY
        .asciz "Device or resource busy"
        .byte EEXIST
        .asciz "File exists"
        .byte EXDEV
        .asciz "Invalid cross-device link"
        .byte ENODEV
        .asciz "No such device"
        .byte ENOTDIR
        .asciz "Not a directory"
        .byte EISDIR
        .asciz "Is a directory"
        .byte EINVAL
        .asciz "Invalid argument"
        .byte EMFILE
        .asciz "Too many open files"
        .byte ENFILE
        .asciz "Too many open files in system"
        .byte EFBIG
        .asciz "File too large"
        .byte ENOSPC
        .asciz "No space left on device"
        .byte EROFS
        .asciz "Read-only file system"
        .byte EPIPE
        .asciz "Broken pipe"
        .byte ENAMETOOLONG
        .asciz "File name too long"
        .byte ENOSYS
        .asciz "Function not implemented"
        .byte ENOTEMPTY
        .asciz "Directory not empty"
        .byte ENOTSOCK
        .asciz "Socket operation on non-socket"
        .byte EADDRINUSE
        .asciz "Address already in use"
        .byte EADDRNOTAVAIL
        .asciz "Cannot assign requested address"
        .byte ENETUNREACH
        .asciz "Network is unreachable"
        .byte EISCONN
        .asciz "Transport endpoint is already connected"
        .byte ENOTCONN
        .asciz "Transport endpoint is not connected"
        .byte ECONNREFUSED
        .asciz "Connection refused"
        .byte ERANGE
        .asciz "Numerical result out of range"
        .byte 0
        .align 4
