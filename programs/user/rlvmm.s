# rlvmm [IMAGE [DISK]]: the user-space half of the hosted VMM (docs/vmm-hosted.md), QEMU's part
# to the host kernel's KVM-style driver (programs/kernel/kvm.s, a kernel built with -D HOST).
#
# It loads a guest image (IMAGE, default /vm/guest.img: a header, GI_*, then guest-physical
# memory from address 0, as a boot loader would have placed it: the boot arguments and the guest
# kernel) into its own heap, opens the guest's disk (DISK, default /vm/disk.img: a file on the
# host's filesystem, block for block the guest's disk), makes a VM whose guest-physical memory is
# that heap range, and loops: run the vCPU, handle the exit. The driver handles the guest's timer
# and its memory itself; what comes here is the `in` and `out` of the devices this program
# emulates:
#   console  an output byte becomes a write() of one byte to descriptor 1, the host's console;
#            input is what a read() of descriptor 0, the host's console, gives: rlvmm keeps up to
#            CON_MAX bytes for the guest (con_buf) and reads more when the driver says the host
#            has some (VR_F_INPUT: vcpu_run returns VM_EXIT_INTR, as QEMU's I/O thread, which
#            poll()s its character device, kicks the vCPU); the guest reads them from
#            CONSOLE_DATA and sees line 1 while they last, as on the device
#   disk     the guest's registers live here (disk_regs); a request is checked as the device
#            checks it and starts: the guest sees BUSY and goes on (its process sleeps, another
#            runs, or it idles). The file is read and written by the I/O process (io_main, forked
#            at the start: QEMU's I/O thread, as a process), which gets the request through one
#            pipe and answers through another, so the guest runs while the host's disk works.
#            The driver comes back with VM_EXIT_INTR as soon as the answer can be read, or when
#            the guest idles (VR_F_WATCH); then the data goes to the guest's memory, and DONE and
#            line 2, as the device's completion. A flush goes the same way and moves nothing
#            (the host's file layer writes through)
#   power    the guest's power-off code becomes this process's exit code
# With the file /vm/vhost-console on the host's disk (`--config hosted` with vhostConsole), the
# console's output is the driver's (VR_F_VHOST): the guest's `out CONSOLE_DATA` never comes here.
# Any other port is an undriven bus: reads -1, writes are ignored.
#
# Exit codes: the guest's power-off code; 1 when the image, the disk or the driver fails (a
# message says which); 7 when the guest cannot go on (its trap handler faulted, as the bare-metal
# VMMs' code 7, or it waits in wfi for an interrupt that can never come, which stops a bare
# machine: "deadlock").

        .include "../lib/hw.inc"        # ports, interrupt lines, the disk's registers
        .include "user.inc"

        .equ GUEST, HEAP_BASE           # guest-physical 0, in this process

_start: li   t0, 2                      # optional arguments: IMAGE, DISK
        blt  a1, t0, .load
        lw   t0, 4(a2)
        la   t1, image_path
        sw   t0, 0(t1)
        li   t0, 3
        blt  a1, t0, .load
        lw   t0, 8(a2)
        la   t1, disk_path
        sw   t0, 0(t1)
.load:  call io_start                   # before the guest's memory is ours (io_start)
        call load_image
        call open_disk
        la   a0, vhost_path             # the switch: with the file /vm/vhost-console, the
        li   a1, O_RDONLY               # driver writes the guest's console output itself
        call open                       # (VR_F_VHOST)
        blt  a0, zero, .plain
        call close
        li   t0, VR_F_VHOST
        la   t1, vhost
        sw   t0, 0(t1)
.plain:
        call vm_create
        bnez a0, .kvm
        li   a0, GUEST
        la   t0, guest_size
        lw   a1, 0(t0)
        call vm_memory
        bnez a0, .kvm
        call vcpu_create
        bnez a0, .kvm
        la   a0, regs                   # reset state, pc at the guest's entry
        la   t0, guest_entry
        lw   t0, 0(t0)
        sw   t0, VMCS_G_PC(a0)
        call vcpu_set_regs
        bnez a0, .kvm
        la   s0, run                    # s0 = the struct vm_run
# The loop: say when the driver is to come back early and which of our devices' lines are up,
# run the vCPU until an exit the kernel hands over, handle the exit, run again.
.run:   call run_setup
        mv   a0, s0
        call vcpu_run
        li   t0, VM_EXIT_IO
        beq  a0, t0, .io
        li   t0, VM_EXIT_INTR
        beq  a0, t0, .intr
        li   t0, VM_EXIT_HALT
        beq  a0, t0, .halt
        li   t0, VM_EXIT_FAIL
        beq  a0, t0, .fail
        li   t0, VM_EXIT_DEADLOCK
        beq  a0, t0, .dead
        j    .kvm                       # -errno
.io:    lw   a0, VR_PORT(s0)
        lw   t0, VR_OUT(s0)
        beqz t0, .in
        lw   a1, VR_DATA(s0)
        call dev_out
        j    .run
.in:    call dev_in
        sw   a0, VR_DATA(s0)            # the guest's rd gets it at the next vcpu_run
        j    .run
.intr:  lw   a0, VR_QUAL(s0)            # our own work: a disk request in flight may be done,
        call disk_finish                # and the host's console may have input
        lw   t0, VR_QUAL(s0)
        andi t0, t0, VR_F_INPUT
        beqz t0, .run
        call console_fill
        j    .run
.halt:  li   a0, 0
        call exit
.dead:  la   a0, msg_dead
        call print_err
        j    .at
.fail:  la   a0, msg_fail
        call print_err
        lw   a0, VR_QUAL(s0)
        call print_dec_err
.at:    la   a0, msg_at
        call print_err
        lw   a0, VR_PC(s0)
        call print_dec_err
        la   a0, msg_nl
        call print_err
        li   a0, 7
        call exit
.kvm:   mv   a2, a0                     # the driver refused: "rlvmm: kvm: message"
        la   a1, word_kvm
        j    die

# die(a1 = what, a2 = -errno): "rlvmm: WHAT: message", exit 1.
die:    la   a0, name
        call perror
        li   a0, 1
        call exit

# load_image: read the guest image into guest memory and check its header.
load_image:
        push ra
        la   t0, image_path
        lw   a0, 0(t0)
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .err
        mv   s1, a0                     # s1 = its descriptor
        la   a1, header
        li   a2, GI_SIZEOF
        call read
        li   t0, GI_SIZEOF
        bne  a0, t0, .bad
        la   t0, header
        lw   t1, GI_MAGIC(t0)
        li   t2, GUEST_IMAGE_MAGIC
        bne  t1, t2, .bad
        lw   t1, GI_MEMSIZE(t0)         # the memory size: the driver checks it (vm_memory)
        la   t2, guest_size
        sw   t1, 0(t2)
        lw   t2, GI_ENTRY(t0)
        la   t3, guest_entry
        sw   t2, 0(t3)
        lw   a2, GI_LENGTH(t0)
        bgtu a2, t1, .bad               # more bytes than memory
        mv   a0, s1
        li   a1, GUEST
        call read_full
        blt  a0, zero, .err
        mv   a0, s1
        call close
        pop  ra
        ret
.bad:   li   a2, -ENOEXEC
        j    .die
.err:   mv   a2, a0
.die:   la   t0, image_path
        lw   a1, 0(t0)
        j    die

# io_start: the I/O process. Two pipes, io_req (requests to it) and io_ans (answers from it), and
# a fork. It comes first, while this process holds no guest memory: a fork marks every page
# copy-on-write, and the guest's pages must stay the frames the VM's EPT maps.
io_start:
        push ra
        la   a0, io_req
        call pipe
        blt  a0, zero, .err
        la   a0, io_ans
        call pipe
        blt  a0, zero, .err
        call fork
        blt  a0, zero, .err
        beqz a0, io_main
        la   t0, io_req                 # ours: io_req's write end and io_ans's read end
        lw   a0, 0(t0)
        call close
        la   t0, io_ans
        lw   a0, 4(t0)
        call close
        pop  ra
        ret
.err:   mv   a2, a0
        la   a1, word_io
        j    die

# io_main: the I/O process's loop. A request is three words (command, block, count), and for a
# write its count blocks of data; the answer is, for a read, count blocks of data, then the final
# status (DISK_ST_DONE, or with DISK_ST_ERROR when the file could not be read or written). One
# block at a time through io_buf. When rlvmm is gone (its end of io_req closed), it exits.
io_main:
        la   t0, io_req
        lw   a0, 4(t0)
        call close
        la   t0, io_ans
        lw   a0, 0(t0)
        call close
        la   t0, disk_path              # its own open file (its own offset), with O_DIRECT:
        lw   a0, 0(t0)                  # every guest request is a request of the host's disk,
        li   a1, O_RDWR | O_DIRECT      # not the host's buffer cache (QEMU's cache=none)
        call open
        mv   s1, a0                     # s1 = the disk file (negative: none; requests fail)
.next:  la   t0, io_req
        lw   a0, 0(t0)
        la   a1, io_msg
        li   a2, 12
        call read_full
        li   t0, 12
        bne  a0, t0, .quit
        la   t0, io_msg
        lw   s2, 0(t0)                  # s2 = the command
        lw   s3, 8(t0)                  # s3 = blocks left
        li   t1, DISK_CMD_FLUSH
        bne  s2, t1, .move
        li   a0, FLUSH_TICKS            # a flush has nothing to write (the host's file layer
        call sleep                      # writes through), but takes a device's time, as the
        li   s0, DISK_ST_DONE           # disk's own flush does: FLUSH_TICKS host ticks
        j    .answer
.move:  li   s0, IO_FAILED              # s0 = the status so far
        blt  s1, zero, .block
        mv   a0, s1
        lw   a1, 4(t0)
        slli a1, a1, 12
        li   a2, SEEK_SET
        call lseek
        blt  a0, zero, .block
        li   s0, DISK_ST_DONE
.block: beqz s3, .answer
        addi s3, s3, -1
        li   t0, DISK_CMD_WRITE
        beq  s2, t0, .write
        li   t0, DISK_ST_DONE           # a read: the block from the file (after a failure,
        bne  s0, t0, .send              # whatever io_buf holds: the status says it failed)
        mv   a0, s1
        la   a1, io_buf
        li   a2, DISK_BLOCK_SIZE
        call read_full
        li   t0, DISK_BLOCK_SIZE
        beq  a0, t0, .send
        li   s0, IO_FAILED
.send:  la   t0, io_ans
        lw   a0, 4(t0)
        la   a1, io_buf
        li   a2, DISK_BLOCK_SIZE
        call write_all
        j    .block
.write: la   t0, io_req                 # a write: the block from rlvmm, then to the file
        lw   a0, 0(t0)
        la   a1, io_buf
        li   a2, DISK_BLOCK_SIZE
        call read_full
        li   t0, DISK_BLOCK_SIZE
        bne  a0, t0, .quit
        li   t0, DISK_ST_DONE
        bne  s0, t0, .block
        mv   a0, s1
        la   a1, io_buf
        li   a2, DISK_BLOCK_SIZE
        call write_all
        li   t0, DISK_BLOCK_SIZE
        beq  a0, t0, .block
        li   s0, IO_FAILED
        j    .block
.answer:
        la   a1, io_msg
        sw   s0, 0(a1)
        la   t0, io_ans
        lw   a0, 4(t0)
        li   a2, 4
        call write_all
        j    .next
.quit:  li   a0, 0
        call exit

        .equ IO_FAILED, (DISK_ERR_RANGE << DISK_ST_ERROR_SHIFT) | DISK_ST_DONE | DISK_ST_ERROR
        .equ FLUSH_TICKS, 4

# open_disk: open the guest's disk file; its size in blocks is what DISK_BLOCKS reads. Without
# the file the guest has no disk (0 blocks), as a machine without one.
open_disk:
        push ra
        la   t0, disk_path
        lw   a0, 0(t0)
        li   a1, O_RDWR
        call open
        blt  a0, zero, .none
        la   t0, disk_fd
        sw   a0, 0(t0)
        la   a1, stat_buf
        call fstat
        blt  a0, zero, .none
        la   t0, stat_buf
        lw   t0, ST_SIZE(t0)
        srli t0, t0, 12
        la   t1, disk_regs
        sw   t0, DR_BLOCKS(t1)
.none:  pop  ra
        ret

# read_full(a0 = fd, a1 = buffer, a2 = length) -> a0 = length, or -errno; a file that ends too
# soon is -EIO. (A read of a file returns at most what is left of its block.)
read_full:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
        push a2
.again: ble  s3, zero, .done
        mv   a0, s1
        mv   a1, s2
        mv   a2, s3
        call read
        blt  a0, zero, .fail
        beqz a0, .eio
        add  s2, s2, a0
        sub  s3, s3, a0
        j    .again
.eio:   li   a0, -EIO
.fail:  pop  t1
        j    .out
.done:  pop  a0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ---- the devices ----------------------------------------------------------------------------

# dev_out(a0 = port, a1 = value): the guest's `out`.
dev_out:
        li   t0, CONSOLE_DATA
        beq  a0, t0, .console
        li   t0, CONSOLE_IRQ_ENABLE
        beq  a0, t0, .irq
        li   t0, POWER_OFF
        beq  a0, t0, .power
        li   t0, DISK_BLOCK
        sub  t1, a0, t0
        sltiu t2, t1, DISK_ACK - DISK_BLOCK + 1
        beqz t2, .ignore
        slli t1, t1, 2
        la   t2, disk_out
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1
.console:
        la   t0, out_byte               # one byte, one write(): the guest's console is the host's
        sb   a1, 0(t0)
        li   a0, 1
        la   a1, out_byte
        li   a2, 1
        j    write
.irq:   andi a1, a1, 1
        la   t0, con_irq
        sw   a1, 0(t0)
        ret
.power: andi a0, a1, 0xff
        j    exit
.ignore:
        ret

disk_out:
        .word .block, .addr, .count, disk_command, .status, disk_ack
.status:                                # DISK_STATUS is read-only
        ret
.block: la   t0, disk_regs
        sw   a1, DR_BLOCK(t0)
        ret
.addr:  la   t0, disk_regs
        sw   a1, DR_ADDR(t0)
        ret
.count: la   t0, disk_regs
        sw   a1, DR_COUNT(t0)
        ret

# dev_in(a0 = port) -> a0 = what the guest reads.
dev_in:
        li   t0, CONSOLE_DATA
        beq  a0, t0, con_data
        li   t0, CONSOLE_STATUS
        beq  a0, t0, con_status
        li   t0, CONSOLE_IRQ_ENABLE
        beq  a0, t0, .irq
        li   t0, DISK_BLOCK
        sub  t1, a0, t0
        sltiu t2, t1, DISK_BLOCKS - DISK_BLOCK + 1
        beqz t2, .bus
        li   t2, DISK_COMMAND - DISK_BLOCK  # write-only ports read as an undriven bus
        beq  t1, t2, .bus
        li   t2, DISK_ACK - DISK_BLOCK
        beq  t1, t2, .bus
        slli t1, t1, 2
        la   t0, disk_regs
        add  t0, t0, t1
        lw   a0, 0(t0)
        ret
.irq:   la   t0, con_irq
        lw   a0, 0(t0)
        ret
.bus:   li   a0, -1                     # nothing there
        ret

# ---- the console's input --------------------------------------------------------------------

# con_status -> a0 = CONSOLE_STATUS: bit 0 a byte is ready, bit 1 the input has ended (and every
# byte was read), 0: wait. A guest told to wait is owed line 1 when the end comes (con_owed), as
# the device raises it at the end of live input.
con_status:
        la   t0, con_r
        lw   t1, 0(t0)
        lw   t2, 4(t0)                  # con_w
        li   a0, 1
        bltu t1, t2, .seen
        lw   a0, 8(t0)                  # con_ended: 0 or 2
        bnez a0, .seen
        li   t1, 1
        sw   t1, 12(t0)                 # con_owed
        ret
.seen:  sw   zero, 12(t0)
        ret

# con_data -> a0 = the next input byte, or -1 when there is none.
con_data:
        la   t0, con_r
        sw   zero, 12(t0)               # con_owed: the guest reads, it will look again
        lw   t1, 0(t0)
        lw   t2, 4(t0)
        li   a0, -1
        bgeu t1, t2, .out
        la   t3, con_buf
        add  t3, t3, t1
        lbu  a0, 0(t3)
        addi t1, t1, 1
        sw   t1, 0(t0)
        bltu t1, t2, .out
        sw   zero, 0(t0)                # all taken: the buffer starts over
        sw   zero, 4(t0)
.out:   ret

# console_fill: the host's console has input (VR_F_INPUT): one read() of descriptor 0 into the
# room left, which does not wait (the driver looked). 0 is the end of the host's input.
console_fill:
        push ra
        la   t0, con_r
        lw   t1, 4(t0)                  # con_w
        la   a1, con_buf
        add  a1, a1, t1
        li   a2, CON_MAX
        sub  a2, a2, t1
        li   a0, 0
        call read
        la   t0, con_r
        blt  a0, zero, .out             # -EINTR: a signal; rlvmm acts on it on its way out
        beqz a0, .end
        lw   t1, 4(t0)
        add  t1, t1, a0
        sw   t1, 4(t0)
        j    .out
.end:   li   t1, CONSOLE_INPUT_ENDED_BIT
        sw   t1, 8(t0)
.out:   pop  ra
        ret

# run_setup: before each vcpu_run, what the driver is to know (s0 = the struct vm_run):
#   VR_FLAGS  VR_F_INPUT while the host's input has not ended and con_buf has room; VR_F_WATCH
#             (VR_WATCH = io_ans's read end) while a disk request is with the I/O process
#   VR_LINES  line 2 while the disk's DONE is set; line 1 while the guest enables it and a byte
#             is ready or the end is owed to a guest that was told to wait
run_setup:
        la   t0, con_r
        lw   t1, 4(t0)                  # con_w
        lw   t2, 8(t0)                  # con_ended
        li   a0, 0
        bnez t2, .kick
        li   t3, CON_MAX
        bgeu t1, t3, .kick
        li   a0, VR_F_INPUT
.kick:  la   t3, disk_pending
        lw   t3, 0(t3)
        beqz t3, .flags
        ori  a0, a0, VR_F_WATCH
        la   t3, io_ans
        lw   t3, 0(t3)
        sw   t3, VR_WATCH(s0)
.flags: la   t3, vhost
        lw   t3, 0(t3)
        or   a0, a0, t3
        sw   a0, VR_FLAGS(s0)
        li   a0, 0
        la   t3, con_irq
        lw   t3, 0(t3)
        beqz t3, .disk
        lw   t3, 0(t0)                  # con_r < con_w: a byte is ready
        bltu t3, t1, .con
        beqz t2, .disk
        lw   t3, 12(t0)                 # ended, and owed to a guest that waits
        beqz t3, .disk
.con:   li   a0, IRQ_CONSOLE
.disk:  la   t3, disk_regs
        lw   t3, DR_STATUS(t3)
        andi t3, t3, DISK_ST_DONE
        beqz t3, .lines
        ori  a0, a0, IRQ_DISK
.lines: sw   a0, VR_LINES(s0)
        ret

        .equ CONSOLE_INPUT_ENDED_BIT, 2 # CONSOLE_STATUS bit 1: input has ended
        .equ CON_MAX, 512               # bytes of host input rlvmm holds for its guest

# The guest's disk registers, one word per port from DISK_BLOCK (dev_in reads them by port).
        .equ DR_BLOCK, 0
        .equ DR_ADDR, 4
        .equ DR_COUNT, 8
        .equ DR_STATUS, 16
        .equ DR_BLOCKS, 24

# disk_command(a1 = command): start the request in the registers, as the device does
# (DiskDevice.command): refused while one is in flight; checked (the command, the count, the
# range, the address: a request that cannot start fails at once, DONE and ERROR with the code);
# else BUSY, and the request goes to the I/O process; disk_finish completes it when the answer
# comes.
disk_command:
        la   t3, disk_regs
        lw   t0, DR_STATUS(t3)
        andi t1, t0, DISK_ST_BUSY
        beqz t1, .idle
        ori  t0, t0, DISK_ST_REFUSED    # one request at a time: the one in flight carries on
        sw   t0, DR_STATUS(t3)
        ret
.idle:  li   t0, DISK_CMD_FLUSH
        beq  a1, t0, .start
        li   a0, DISK_ERR_COMMAND
        addi t0, a1, -DISK_CMD_READ
        sltiu t0, t0, 2
        beqz t0, .error
        li   a0, DISK_ERR_COUNT
        lw   t1, DR_COUNT(t3)
        addi t0, t1, -1
        sltiu t0, t0, DISK_MAX_COUNT
        beqz t0, .error
        li   a0, DISK_ERR_RANGE
        lw   t0, DR_BLOCKS(t3)
        lw   t2, DR_BLOCK(t3)
        bgeu t2, t0, .error
        sub  t0, t0, t2
        bgtu t1, t0, .error
        li   a0, DISK_ERR_ADDRESS
        lw   t2, DR_ADDR(t3)
        andi t0, t2, DISK_BLOCK_SIZE - 1
        bnez t0, .error
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu t2, t0, .error
        sub  t0, t0, t2
        slli t1, t1, 12
        bgtu t1, t0, .error
.start: la   t0, disk_pending           # the request as it is now (the guest may write the
        sw   a1, 0(t0)                  # registers again while it is in flight)
        lw   t1, DR_BLOCK(t3)
        sw   t1, 4(t0)
        lw   t1, DR_ADDR(t3)
        sw   t1, 8(t0)
        lw   t1, DR_COUNT(t3)
        sw   t1, 12(t0)
        li   t0, DISK_ST_BUSY           # REFUSED goes, as on the device
        sw   t0, DR_STATUS(t3)
        j    io_send
.error: slli a0, a0, DISK_ST_ERROR_SHIFT
        ori  a0, a0, DISK_ST_DONE | DISK_ST_ERROR
        j    disk_done

# io_send: the request in disk_pending to the I/O process: command, block, count, and for a
# write the blocks, straight from the guest's memory.
io_send:
        push ra
        la   t1, disk_pending
        la   a1, io_msg
        lw   t0, 0(t1)
        sw   t0, 0(a1)
        lw   t0, 4(t1)
        sw   t0, 4(a1)
        lw   t0, 12(t1)                 # a flush moves no blocks (the count register is
        lw   t2, 0(t1)                  # not its)
        li   t3, DISK_CMD_FLUSH
        bne  t2, t3, .count
        li   t0, 0
.count: sw   t0, 8(a1)
        la   t0, io_req
        lw   a0, 4(t0)
        li   a2, 12
        call write_all
        la   t1, disk_pending
        lw   t0, 0(t1)
        li   t2, DISK_CMD_WRITE
        bne  t0, t2, .sent
        lw   a1, 8(t1)
        li   t0, GUEST
        add  a1, a1, t0
        lw   a2, 12(t1)
        slli a2, a2, 12
        la   t0, io_req
        lw   a0, 4(t0)
        call write_all
.sent:  pop  ra
        ret

# disk_finish(a0 = VR_QUAL of a VM_EXIT_INTR): the I/O process's answer can be read
# (VR_F_WATCH), or the guest idles while a request is in flight (then wait for it): for a read
# its blocks go straight to the guest's memory; then the status, and the request ends.
disk_finish:
        la   t0, disk_pending
        lw   a1, 0(t0)
        beqz a1, .none
        andi t1, a0, VR_F_WATCH
        beqz t1, .none                  # not our answer (input came)
        push ra
        li   t1, DISK_CMD_READ
        bne  a1, t1, .status
        lw   a1, 8(t0)
        li   t1, GUEST
        add  a1, a1, t1
        lw   a2, 12(t0)
        slli a2, a2, 12
        la   t0, io_ans
        lw   a0, 0(t0)
        call read_full
.status:
        la   t0, io_ans
        lw   a0, 0(t0)
        la   a1, io_msg
        li   a2, 4
        call read_full
        li   t0, 4
        bne  a0, t0, .lost
        la   t1, io_msg
        lw   a0, 0(t1)
        j    .done
.lost:  li   a0, IO_FAILED              # the I/O process is gone
.done:  la   t0, disk_pending
        sw   zero, 0(t0)
        pop  ra
        j    disk_done
.none:  ret

# disk_done(a0 = the final status): the request ends; REFUSED stays, as on the device.
disk_done:
        la   t0, disk_regs
        lw   t1, DR_STATUS(t0)
        andi t1, t1, DISK_ST_REFUSED
        or   a0, a0, t1
        sw   a0, DR_STATUS(t0)
        ret

# disk_ack: clear DONE, ERROR, REFUSED and the code (a request in flight stays BUSY); the line
# falls (run_setup).
disk_ack:
        la   t0, disk_regs
        lw   t1, DR_STATUS(t0)
        andi t1, t1, DISK_ST_BUSY
        sw   t1, DR_STATUS(t0)
        ret

# print_err(a0 = string), print_dec_err(a0 = value): to descriptor 2.
print_err:
        mv   a1, a0
        li   a0, 2
        j    print_fd
print_dec_err:
        mv   a1, a0
        li   a0, 2
        j    print_dec_fd

# ---- the driver's calls (only a kernel built with -D HOST has them: no wrappers in usys.s) ----
vm_create:
        li   t0, SYS_VM_CREATE
        syscall
        ret
vm_memory:
        li   t0, SYS_VM_MEMORY
        syscall
        ret
vcpu_create:
        li   t0, SYS_VCPU_CREATE
        syscall
        ret
vcpu_set_regs:
        li   t0, SYS_VCPU_SET_REGS
        syscall
        ret
vcpu_run:
        li   t0, SYS_VCPU_RUN
        syscall
        ret

        .include "lib.s"

image_path:  .word default_image
disk_path:   .word default_disk
disk_fd:     .word -1
guest_size:  .word 0
guest_entry: .word 0
disk_regs:   .space 28                  # DISK_BLOCK .. DISK_BLOCKS, one word per port
disk_pending: .word 0, 0, 0, 0         # the request in flight: command (0: none), block, address, count
io_req:      .word -1, -1               # pipe to the I/O process: read end (its), write end (ours)
io_ans:      .word -1, -1               # pipe from it: read end (ours), write end (its)
io_msg:      .space 12                  # a request's three words, or an answer's status
con_r:       .word 0                    # con_buf[con_r, con_w) is the guest's unread input
con_w:       .word 0
con_ended:   .word 0                    # CONSOLE_INPUT_ENDED_BIT once the host's read() gave 0
con_owed:    .word 0                    # 1: the guest was told to wait; the end raises line 1
con_irq:     .word 0                    # CONSOLE_IRQ_ENABLE
con_buf:     .space CON_MAX
vhost:       .word 0                    # VR_F_VHOST if /vm/vhost-console exists, else 0
vhost_path:  .asciz "/vm/vhost-console"
        .align 4
run:         .space VR_SIZEOF
regs:        .space VCPU_REGS_SIZE
header:      .space GI_SIZEOF
stat_buf:    .space ST_SIZEOF
io_buf:      .space DISK_BLOCK_SIZE     # the I/O process's block
out_byte:    .word 0
default_image: .asciz "/vm/guest.img"
default_disk:  .asciz "/vm/disk.img"
name:        .asciz "rlvmm"
word_kvm:    .asciz "kvm"
word_io:     .asciz "I/O process"
msg_fail:    .asciz "rlvmm: guest double fault: it cannot go on: cause "
msg_dead:    .asciz "rlvmm: guest deadlock: it waits for an interrupt that can never come"
msg_at:      .asciz " at pc "
msg_nl:      .asciz "\n"
        .align 4
