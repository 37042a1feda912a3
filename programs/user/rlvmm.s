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
#            the guest has no console input (its input has ended, as in a boot without --input)
#   disk     the guest's registers live here (disk_regs); a request is checked as the device
#            checks it, then becomes an lseek() and a read() or write() of the disk file, straight
#            to or from the guest's memory; it is done when those return, so the guest sees DONE
#            and its line 2 at once (the host's disk latency was the host's, while the host ran
#            other processes or idled)
#   power    the guest's power-off code becomes this process's exit code
# Any other port is an undriven bus: reads -1, writes are ignored.
#
# Exit codes: the guest's power-off code; 1 when the image, the disk or the driver fails (a
# message says which); 7 when the guest cannot go on (its trap handler faulted, as the bare-metal
# VMMs' code 7).

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
.load:  call load_image
        call open_disk
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
# The loop: run the vCPU until an exit the kernel hands over, handle it, run again.
.run:   mv   a0, s0
        call vcpu_run
        li   t0, VM_EXIT_IO
        beq  a0, t0, .io
        li   t0, VM_EXIT_HALT
        beq  a0, t0, .halt
        li   t0, VM_EXIT_FAIL
        beq  a0, t0, .fail
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
.halt:  li   a0, 0
        call exit
.fail:  la   a0, msg_fail
        call print_err
        lw   a0, VR_QUAL(s0)
        call print_dec_err
        la   a0, msg_at
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
        li   t0, CONSOLE_STATUS
        beq  a0, t0, .status
        li   t0, CONSOLE_IRQ_ENABLE
        beq  a0, t0, .off
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
.status:
        li   a0, CONSOLE_INPUT_ENDED_BIT
        ret
.off:   li   a0, 0                      # its input interrupt is off (there is no input)
        ret
.bus:   li   a0, -1                     # CONSOLE_DATA: no input byte; the rest: nothing there
        ret

        .equ CONSOLE_INPUT_ENDED_BIT, 2 # CONSOLE_STATUS bit 1: input has ended

# The guest's disk registers, one word per port from DISK_BLOCK (dev_in reads them by port).
        .equ DR_BLOCK, 0
        .equ DR_ADDR, 4
        .equ DR_COUNT, 8
        .equ DR_STATUS, 16
        .equ DR_BLOCKS, 24

# disk_command(a1 = command): the request in the registers, checked as the device checks it
# (DiskDevice.command: the command, the count, the range, the address), then done on the file.
disk_command:
        push ra
        la   s2, disk_regs              # s2 = the registers (s1, s3: free in the loop's callees)
        li   t0, DISK_CMD_FLUSH
        beq  a1, t0, .ok                # nothing to flush: the host's file layer writes through
        li   a0, DISK_ERR_COMMAND
        addi t0, a1, -DISK_CMD_READ
        sltiu t0, t0, 2
        beqz t0, .error
        li   a0, DISK_ERR_COUNT
        lw   t1, DR_COUNT(s2)
        addi t0, t1, -1
        sltiu t0, t0, DISK_MAX_COUNT
        beqz t0, .error
        li   a0, DISK_ERR_RANGE
        lw   t0, DR_BLOCKS(s2)
        lw   t2, DR_BLOCK(s2)
        bgeu t2, t0, .error
        sub  t0, t0, t2
        bgtu t1, t0, .error
        li   a0, DISK_ERR_ADDRESS
        lw   t2, DR_ADDR(s2)
        andi t0, t2, DISK_BLOCK_SIZE - 1
        bnez t0, .error
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu t2, t0, .error
        sub  t0, t0, t2
        slli t3, t1, 12
        bgtu t3, t0, .error
        push a1
        la   t0, disk_fd                # the file at block * 4096
        lw   a0, 0(t0)
        lw   a1, DR_BLOCK(s2)
        slli a1, a1, 12
        li   a2, SEEK_SET
        call lseek
        pop  a1
        blt  a0, zero, .eio
        la   t0, disk_fd
        lw   a0, 0(t0)
        li   t0, DISK_CMD_WRITE
        lw   t1, DR_ADDR(s2)            # straight to or from the guest's memory
        li   t2, GUEST
        add  t1, t1, t2
        lw   a2, DR_COUNT(s2)
        slli a2, a2, 12
        push a2
        beq  a1, t0, .write
        mv   a1, t1
        call read_full
        j    .moved
.write: mv   a1, t1
        call write_all
.moved: pop  t0
        bne  a0, t0, .eio
.ok:    li   t0, DISK_ST_DONE
        j    .status
.eio:   li   a0, DISK_ERR_RANGE         # the host could not read or write the file
.error: slli a0, a0, DISK_ST_ERROR_SHIFT
        ori  t0, a0, DISK_ST_DONE | DISK_ST_ERROR
.status:
        sw   t0, DR_STATUS(s2)
        pop  ra
        j    disk_line

# disk_ack: clear DONE, ERROR and the code; the line falls.
disk_ack:
        la   t0, disk_regs
        sw   zero, DR_STATUS(t0)
        # fall through

# disk_line: the guest's line 2 is up while DONE is set; the driver delivers VR_LINES.
disk_line:
        la   t0, disk_regs
        lw   t0, DR_STATUS(t0)
        andi t0, t0, DISK_ST_DONE
        li   t1, 0
        beqz t0, .set
        li   t1, IRQ_DISK
.set:   la   t0, run
        sw   t1, VR_LINES(t0)
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
run:         .space VR_SIZEOF
regs:        .space VCPU_REGS_SIZE
header:      .space GI_SIZEOF
stat_buf:    .space ST_SIZEOF
out_byte:    .word 0
default_image: .asciz "/vm/guest.img"
default_disk:  .asciz "/vm/disk.img"
name:        .asciz "rlvmm"
word_kvm:    .asciz "kvm"
msg_fail:    .asciz "rlvmm: the guest cannot go on: cause "
msg_at:      .asciz " at pc "
msg_nl:      .asciz "\n"
        .align 4
