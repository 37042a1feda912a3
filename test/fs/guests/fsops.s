# fsops.s: runs a script of filesystem operations from console input and prints one line per
# operation, for test/fs/kernel-model.test.ts, which runs the same script on the reference model
# (src/fs/model.ts) and expects the same lines. The script is binary: words are 4 bytes, little
# endian; a path is a word (its length) and its bytes. Each operation is a word (its code) and
# its operands:
#   1 stat P          "S<type> <size> <nlink> <inum>"
#   2 readdir P       "D" and " <name>" per entry but `.` and `..`
#   3 read P off len  "R<bytes> <hash>"  (hash = hash * 31 + byte, from 0)
#   4 write P off len seed   "W<bytes>"  (byte i is (seed + 7 * i) & 0xff)
#   5 create P        6 mkdir P   7 truncate P   8 unlink P   9 rmdir P   10 rename P P2: "K"
# A failing call prints "E<errno>". Code 0 ends the script.
        .include "user.inc"
        .equ SCRIPT, HEAP_BASE              # the whole script, read up front
        .equ DATA, HEAP_BASE + 0x400000     # a write's bytes, a read's bytes, getdents' entries
        .equ PATH1, HEAP_BASE + 0x800000
        .equ PATH2, HEAP_BASE + 0x801000

_start:
        li   s1, SCRIPT                     # 1. read the script (until end of input)
.slurp: li   a0, 0
        mv   a1, s1
        li   a2, 4096
        call read
        ble  a0, zero, .run
        add  s1, s1, a0
        j    .slurp
.run:   li   s1, SCRIPT                     # s1 = position in the script
.op:    call word
        beqz a0, .end
        mv   s2, a0                         # s2 = operation
        li   a0, PATH1
        call path
        li   t0, 3
        beq  s2, t0, .read
        li   t0, 4
        beq  s2, t0, .write
        li   t0, 10
        beq  s2, t0, .rename
        li   t0, 1
        beq  s2, t0, .stat
        li   t0, 2
        beq  s2, t0, .readdir
        li   t0, 5
        beq  s2, t0, .create
        li   t0, 6
        beq  s2, t0, .mkdir
        li   t0, 7
        beq  s2, t0, .truncate
        li   t0, 8
        beq  s2, t0, .unlink
        li   a0, PATH1                      # 9
        call rmdir
        j    .status
.unlink:
        li   a0, PATH1
        call unlink
        j    .status
.mkdir: li   a0, PATH1
        call mkdir
        j    .status
.create:
        li   a0, PATH1
        li   a1, O_CREAT | O_EXCL | O_WRONLY
        call open
        j    .closeit
.truncate:
        li   a0, PATH1
        li   a1, O_WRONLY | O_TRUNC
        call open
.closeit:
        blt  a0, zero, .status
        call close
        j    .status
.rename:
        li   a0, PATH2
        call path
        li   a0, PATH1
        li   a1, PATH2
        call rename
.status:
        blt  a0, zero, .error
        li   a0, 'K'
        call out_char
        j    .line
.error: neg  s3, a0
        li   a0, 'E'
        call out_char
        mv   a0, s3
        call out_dec
.line:  li   a0, '\n'
        call out_char
        call flush
        j    .op
.end:   li   a0, 0
        call exit

.stat:  li   a0, PATH1
        la   a1, statbuf
        call stat
        blt  a0, zero, .error
        li   a0, 'S'
        call out_char
        la   s3, statbuf
        lw   a0, ST_TYPE(s3)
        call out_dec
        call out_space
        lw   a0, ST_SIZE(s3)
        call out_dec
        call out_space
        lw   a0, ST_NLINK(s3)
        call out_dec
        call out_space
        lw   a0, ST_INUM(s3)
        call out_dec
        j    .line

.readdir:
        li   a0, PATH1
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .error
        mv   s3, a0                         # s3 = fd
        li   a0, 'D'
        call out_char
.batch: mv   a0, s3
        li   a1, DATA
        li   a2, 4096
        call getdents
        blt  a0, zero, .direrr
        beqz a0, .dirend
        li   s2, DATA                       # s2 = entry
        add  fp, s2, a0                     # fp = end
.entry: bgeu s2, fp, .batch
        addi a0, s2, DE_NAME
        call is_dot
        bnez a0, .nextent
        call out_space
        addi a0, s2, DE_NAME
        call out_str
.nextent:
        addi s2, s2, DE_SIZEOF
        j    .entry
.direrr:
        mv   s2, a0
        mv   a0, s3
        call close
        la   t0, outlen                     # drop the "D"
        sw   zero, 0(t0)
        mv   a0, s2
        j    .error
.dirend:
        mv   a0, s3
        call close
        j    .line

.read:  call word
        mv   s3, a0                         # s3 = offset
        call word
        mv   s2, a0                         # s2 = length
        li   a0, PATH1
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .error
        mv   fp, a0
        mv   a1, s3
        li   a2, SEEK_SET
        call lseek
        mv   a0, fp
        li   a1, DATA
        mv   a2, s2
        call read
        mv   s2, a0
        mv   a0, fp
        call close
        mv   a0, s2
        blt  a0, zero, .error
        li   a0, 'R'
        call out_char
        mv   a0, s2
        call out_dec
        call out_space
        li   t0, DATA                       # the hash of the bytes read
        add  t1, t0, s2
        li   a0, 0
.hash:  bgeu t0, t1, .hashed
        li   t2, 31
        mul  a0, a0, t2
        lbu  t2, 0(t0)
        add  a0, a0, t2
        addi t0, t0, 1
        j    .hash
.hashed:
        call out_dec
        j    .line

.write: call word
        mv   s3, a0                         # s3 = offset
        call word
        mv   s2, a0                         # s2 = length
        call word                           # the seed: fill DATA
        li   t0, DATA
        add  t1, t0, s2
.fill:  bgeu t0, t1, .filled
        sb   a0, 0(t0)
        addi a0, a0, 7
        addi t0, t0, 1
        j    .fill
.filled:
        li   a0, PATH1
        li   a1, O_WRONLY
        call open
        blt  a0, zero, .error
        mv   fp, a0
        mv   a1, s3
        li   a2, SEEK_SET
        call lseek
        mv   a0, fp
        li   a1, DATA
        mv   a2, s2
        call write
        mv   s2, a0
        mv   a0, fp
        call close
        mv   a0, s2
        blt  a0, zero, .error
        li   a0, 'W'
        call out_char
        mv   a0, s2
        call out_dec
        j    .line

# word() -> a0: the next script word (s1 = position).
word:   lbu  a0, 0(s1)
        lbu  t0, 1(s1)
        slli t0, t0, 8
        or   a0, a0, t0
        lbu  t0, 2(s1)
        slli t0, t0, 16
        or   a0, a0, t0
        lbu  t0, 3(s1)
        slli t0, t0, 24
        or   a0, a0, t0
        addi s1, s1, 4
        ret

# path(a0 = buffer): the next script path into it, zero terminated.
path:   push ra
        push a0
        call word
        pop  t1
        add  t2, s1, a0                     # end of its bytes
.copy:  bgeu s1, t2, .done
        lbu  t0, 0(s1)
        sb   t0, 0(t1)
        addi s1, s1, 1
        addi t1, t1, 1
        j    .copy
.done:  sb   zero, 0(t1)
        pop  ra
        ret

# is_dot(a0 = name) -> a0 = 1 for "." and "..".
is_dot: lbu  t0, 0(a0)
        li   t1, '.'
        bne  t0, t1, .no
        lbu  t0, 1(a0)
        beqz t0, .yes
        bne  t0, t1, .no
        lbu  t0, 2(a0)
        beqz t0, .yes
.no:    li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# The output line: out_char, out_str, out_dec, out_space append to it; flush writes it.
out_char:
        la   t0, outlen
        lw   t1, 0(t0)
        la   t2, outbuf
        add  t2, t2, t1
        sb   a0, 0(t2)
        addi t1, t1, 1
        sw   t1, 0(t0)
        ret
out_space:
        li   a0, ' '
        j    out_char
out_str:
        push ra
        push s1
        mv   s1, a0
.each:  lbu  a0, 0(s1)
        beqz a0, .end
        call out_char
        addi s1, s1, 1
        j    .each
.end:   pop  s1
        pop  ra
        ret
out_dec:                                    # unsigned
        push ra
        addi sp, sp, -16
        mv   t3, sp                         # digits backwards from 16(sp)
        addi t2, sp, 16
        li   t1, 10
.div:   remu t0, a0, t1
        addi t0, t0, '0'
        addi t2, t2, -1
        sb   t0, 0(t2)
        divu a0, a0, t1
        bnez a0, .div
        addi t3, sp, 16
.put:   bgeu t2, t3, .ok
        lbu  a0, 0(t2)
        push t2
        push t3
        call out_char
        pop  t3
        pop  t2
        addi t2, t2, 1
        j    .put
.ok:    addi sp, sp, 16
        pop  ra
        ret
flush:  push ra
        li   a0, 1
        la   a1, outbuf
        la   t0, outlen
        lw   a2, 0(t0)
        sw   zero, 0(t0)
        call write
        pop  ra
        ret

        .align 4
statbuf: .space ST_SIZEOF
outlen: .word 0
outbuf: .space 1024
        .include "lib.s"
