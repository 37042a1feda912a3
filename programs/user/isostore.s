# isostore: the storage probe of the isolation benchmark (`ringlab bench isolation`,
# src/bench/isolation-storage.ts, docs/isolation.md "Storage"). isoprobe.s's companion: one
# program installed under several names, the name it runs as (argv[0]) choosing what it does, so
# the same bytes run as a process and in a container (whose root is an overlay of N layers):
#
#   store-look N      file lookups: stat("/data/f") (the file, in the bottom layer) N times, then
#                     2N times; then stat("/data/none") (a miss: no layer has it) N, then 2N times
#   store-copyup N    the first write to each of the files /data/c0 .. /data/c<N-1> (of the sizes
#                     the bench chose): open for writing (the overlay copies a lower file up whole),
#                     write one byte, close; then the same again (the file is in the upper layer now)
#   store-write N [DIR] a write-heavy workload on DIR/db (an existing 64 KiB file): open it for
#                     writing, N writes of 4 KiB at random blocks, close; then the same again. DIR
#                     is the overlay's /data, a volume (a bind mount of a directory of the host's
#                     disk) or, for a process, the root disk's /data (the default)
#
# Laps. The host reads the figures off the trace: every lap is a marker (isoprobe.s's: a getpid
# with a0 = ISO_MARK) with a1 = MARK_LAP and a2 = the lap's number, and the harness keeps the
# cycle of each. The probe's first marker is isoprobe.s's MARK_START. store-look's work between laps
# 0-1 and 1-2 is N and 2N lookups, so (lap2 - lap1) - (lap1 - lap0) is N lookups and nothing
# else: the markers and the loop's set-up cancel out, as the overhead suite's runs at N and 2N.
        .include "user.inc"
        .equ ISO_MARK,     0x49534f4d   # "ISOM" (isoprobe.s)
        .equ MARK_START,   1            # the probe began (isoprobe.s)
        .equ MARK_LAP,     16           # a lap, a2 = its number (the host's STORE_LAP)
        .equ DB_BLOCKS,    16           # store-write: DIR/db is 64 KiB

.macro lap count
        li   a0, ISO_MARK
        li   a1, MARK_LAP
        mv   a2, \count
        call getpid
.endm

_start: mv   s0, a0                     # s0 = N
        mv   s3, a2                     # s3 = argv
        li   a0, ISO_MARK
        li   a1, MARK_START
        li   a2, 0
        call getpid
        li   fp, 0                      # fp = the next lap's number
        lw   t0, 0(s3)                  # argv[0]: "store-X", X chooses
        lbu  t0, 6(t0)
        li   t1, 'l'
        beq  t0, t1, look
        li   t1, 'c'
        beq  t0, t1, copyup
        li   t1, 'w'
        beq  t0, t1, writes
        li   a0, -EINVAL
        j    fail

# next_lap: the next lap marker (fp counts them).
next_lap:
        push ra
        lap  fp
        addi fp, fp, 1
        pop  ra
        ret

# ---- store-look: N and 2N lookups of a file, then of a miss -----------------------------------
look:   la   s1, p_f                    # once each first: the buffer cache holds the directories
        li   s2, 0                      # from here on (the figure is a lookup, not a disk read)
        call stats
        la   s1, p_none
        li   s2, -ENOENT
        call stats
        la   s1, p_f
        li   s2, 0
        call twice
        la   s1, p_none
        li   s2, -ENOENT
        call twice
        j    done

# twice: a lap, N x stats, a lap, 2N x stats, a lap.
twice:  push ra
        push s0
        call next_lap
        lw   s0, 0(sp)
        call stats_n
        call next_lap
        lw   s0, 0(sp)
        slli s0, s0, 1
        call stats_n
        call next_lap
        pop  s0
        pop  ra
        ret

# stats_n: s0 x stats.
stats_n:
        push ra
.sn:    ble  s0, zero, .snd
        call stats
        addi s0, s0, -1
        j    .sn
.snd:   pop  ra
        ret

# stats: stat(s1) must answer s2 (0 or -ENOENT).
stats:  push ra
        mv   a0, s1
        la   a1, stbuf
        call stat
        bge  a0, zero, .sok
        bne  a0, s2, fail
        pop  ra
        ret
.sok:   bnez s2, fail                   # (a0 >= 0: found, which a miss must not be)
        pop  ra
        ret

# ---- store-copyup: the first write to each lower file, then a second -------------------------
copyup: la   a0, p_new                  # a new name in /data first: the overlay copies the
        li   a1, O_CREAT | O_WRONLY     # directory /data up now, so each first write below
        call open                       # copies its file up and nothing else
        blt  a0, zero, fail
        call close
        li   s1, 0                      # s1 = the file
.cl:    bge  s1, s0, done
        la   t0, p_c                    # "/data/cI" (I < 10)
        addi t1, s1, '0'
        sb   t1, 7(t0)
        call next_lap
        call poke                       # the first write: the copy-up
        call next_lap
        call poke                       # the second: the file is the upper layer's now
        call next_lap
        addi s1, s1, 1
        j    .cl

# poke: open p_c for writing, write one byte at 0, close.
poke:   push ra
        la   a0, p_c
        li   a1, O_WRONLY
        call open
        blt  a0, zero, fail
        mv   s2, a0
        la   a1, stbuf
        li   a2, 1
        call write
        li   t0, 1
        bne  a0, t0, fail
        mv   a0, s2
        call close
        pop  ra
        ret

# ---- store-write: a write-heavy workload on DIR/db, twice ----------------------------------------
writes: lw   a1, 8(s3)                  # argv[2] = DIR (none: /data): path = DIR "/db"
        bnez a1, .dir
        la   a1, p_data
.dir:   la   a0, path
        call strcpy
        la   a1, s_db
        call strcpy
        li   s1, 12345                  # the random state (isoprobe.s's LCG)
        call next_lap
        call pass                       # the first pass: through the overlay, a copy-up
        call next_lap
        call pass                       # the second: the file is where it was written
        call next_lap
        j    done

# pass: open path for writing, s0 writes of a block at random blocks, close.
pass:   push ra
        la   a0, path
        li   a1, O_WRONLY
        call open
        blt  a0, zero, fail
        mv   s2, a0
        li   t2, 0
.wl:    bge  t2, s0, .wd
        push t2
        li   t0, 1103515245
        mul  s1, s1, t0
        li   t0, 12345
        add  s1, s1, t0
        srli t0, s1, 16
        andi t0, t0, DB_BLOCKS - 1
        mv   a0, s2
        slli a1, t0, 12
        li   a2, SEEK_SET
        call lseek
        blt  a0, zero, fail
        mv   a0, s2
        li   a1, HEAP_BASE
        li   a2, BSIZE
        call write
        li   t0, BSIZE
        bne  a0, t0, fail
        pop  t2
        addi t2, t2, 1
        j    .wl
.wd:    mv   a0, s2
        call close
        pop  ra
        ret

done:   li   a0, 0
        call exit
fail:   mv   a2, a0
        la   a0, m_name
        li   a1, 0
        call perror
        li   a0, 1
        call exit

m_name:   .asciz "isostore"
p_f:      .asciz "/data/f"
p_none:   .asciz "/data/none"
p_c:      .asciz "/data/c0"
p_new:    .asciz "/data/new"
s_db:     .asciz "/db"
p_data:   .asciz "/data"
          .align 4
stbuf:    .space 16
path:     .space 128
        .include "lib.s"
