# ls [-l] [PATH...]: list each directory's entries, one name a line, in directory order (no
# sorting), leaving out the names that begin with "." as ls does; a PATH that is not a directory
# is printed as given. Without PATH, the current directory. With several PATHs, each directory's
# list follows a "PATH:" line. -l adds the type (d or -), the link count and the size in bytes:
#     d   2      160 bin
# An error ("ls: PATH: message") does not stop the others; the exit status is then 1.
        .include "user.inc"
        .equ DBUF, HEAP_BASE            # getdents' entries
        .equ DBUF_SIZE, 4096
        .equ PATHBUF, HEAP_BASE + 0x1000 # PATH/NAME for stat with -l (a path is < PATH_MAX)
        .equ STBUF, HEAP_BASE + 0x3000  # struct stat
_start: addi s1, a2, 4                  # crt0: a1 = argc, a2 = argv; s1 = the next argument
        addi s0, a1, -1                 # s0 = arguments left
        lw   a0, 0(s1)
        beqz a0, .paths
        la   a1, opt_l
        call strcmp
        bnez a0, .paths
        li   t1, 1
        swg  t1, long, t3
        addi s1, s1, 4
        addi s0, s0, -1
.paths: bnez s0, .each
        la   a0, dot                    # no PATH: "."
        call list
        j    .done
.each:  lw   s2, 0(s1)
        beqz s2, .done
        li   t1, 1
        beq  s0, t1, .one               # only one PATH: no "PATH:" line
        mv   a0, s2
        la   a1, STBUF
        call stat
        blt  a0, zero, .one             # list() reports it
        li   t1, STBUF
        lw   t1, ST_TYPE(t1)
        li   t2, T_DIR
        bne  t1, t2, .one
        lwg  t1, headers
        beqz t1, .first
        li   a0, 1                      # a blank line between two directories
        la   a1, lib_nl
        call print_fd
.first: li   t1, 1
        swg  t1, headers, t3
        li   a0, 1
        mv   a1, s2
        call print_fd
        li   a0, 1
        la   a1, colon_nl
        call print_fd
.one:   mv   a0, s2
        call list
        addi s1, s1, 4
        j    .each
.done:  lwg  a0, status
        call exit

# list(a0 = path): its entries if it is a directory, else itself.
list:   push ra
        push s0
        push s1
        push s2
        mv   s0, a0
        la   a1, STBUF
        call stat
        blt  a0, zero, .fail
        li   t1, STBUF
        lw   t1, ST_TYPE(t1)
        li   t2, T_DIR
        beq  t1, t2, .dir
        mv   a0, s0                     # a file: its own name (and stat)
        call entry
        j    .out
.dir:   mv   a0, s0
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .fail
        mv   s1, a0                     # s1 = the directory's descriptor
.read:  mv   a0, s1
        li   a1, DBUF
        li   a2, DBUF_SIZE
        call getdents
        beqz a0, .close
        blt  a0, zero, .readfail
        li   s2, DBUF                   # s2 = the entry
        li   t1, DBUF
        add  t1, t1, a0
        swg  t1, dend, t3
.ent:   lwg  t1, dend
        bgeu s2, t1, .read
        lw   t1, DE_INUM(s2)
        beqz t1, .next                  # a free slot
        lbu  t1, DE_NAME(s2)
        li   t2, '.'
        beq  t1, t2, .next              # hidden: ., .. and dot files
        lwg  t1, long
        beqz t1, .short
        li   a0, PATHBUF                # PATH/NAME, to stat it
        mv   a1, s0
        call strcpy
        lbu  t1, -1(a0)
        li   t2, '/'
        beq  t1, t2, .slash
        sb   t2, 0(a0)
        addi a0, a0, 1
.slash: addi a1, s2, DE_NAME
        call strcpy
        li   a0, PATHBUF
        la   a1, STBUF
        call stat
        blt  a0, zero, .short           # vanished meanwhile: the name only
.short: addi a0, s2, DE_NAME
        call entry
.next:  addi s2, s2, DE_SIZEOF
        j    .ent
.readfail:
        mv   a2, a0
        la   a0, name
        mv   a1, s0
        call perror
        li   t1, 1
        swg  t1, status, t3
.close: mv   a0, s1
        call close
        j    .out
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s0
        call perror
        li   t1, 1
        swg  t1, status, t3
.out:   pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# entry(a0 = name to print): the name and a newline, after the stat in STBUF with -l.
entry:  push ra
        push s0
        mv   s0, a0
        lwg  t1, long
        beqz t1, .name
        li   t1, STBUF
        lw   t1, ST_TYPE(t1)
        la   a1, type_file
        li   t2, T_DIR
        bne  t1, t2, .type
        la   a1, type_dir
.type:  li   a0, 1
        call print_fd
        li   t1, STBUF
        lw   a0, ST_NLINK(t1)
        li   a1, 4
        call padded
        li   t1, STBUF
        lw   a0, ST_SIZE(t1)
        li   a1, 9
        call padded
        li   a0, 1
        la   a1, blank
        call print_fd
.name:  li   a0, 1
        mv   a1, s0
        call print_fd
        li   a0, 1
        la   a1, lib_nl
        call print_fd
        pop  s0
        pop  ra
        ret

# padded(a0 = value, a1 = width): the value in decimal, right-aligned in width columns.
padded: push ra
        push s0
        push s1
        mv   s0, a0
        mv   s1, a1
        li   t1, 10                     # s1 = width - digits
.count: addi s1, s1, -1
        divu a0, a0, t1
        bnez a0, .count
.pad:   ble  s1, zero, .num
        li   a0, 1
        la   a1, blank
        call print_fd
        addi s1, s1, -1
        j    .pad
.num:   li   a0, 1
        mv   a1, s0
        call print_dec_fd
        pop  s1
        pop  s0
        pop  ra
        ret

name:      .asciz "ls"
opt_l:     .asciz "-l"
dot:       .asciz "."
colon_nl:  .asciz ":\n"
blank:     .asciz " "
type_dir:  .asciz "d"
type_file: .asciz "-"
        .align 4
long:    .word 0                        # -l
headers: .word 0                        # a "PATH:" line was printed
status:  .word 0                        # exit status
dend:    .word 0                        # end of the entries in DBUF
        .include "lib.s"
