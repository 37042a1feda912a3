# sh: the ringlab shell. A small Unix shell in the spirit of xv6's sh, with the grammar of the
# Bourne shell's simplest part (docs/shell.md):
#
#     line     = [ list ] [ '#' comment ]
#     list     = pipeline { (';' | '&') pipeline } [ ';' | '&' ]
#     pipeline = command { '|' command }                  (at most MAXPIPE commands)
#     command  = { word | '<' word | '>' word | '>>' word } (at least one)
#     word     = { plain byte | '\' byte | 'single quoted' | "double quoted" | $? }
#
# `sh` reads commands from descriptor 0 and prints the prompt "$ " (on descriptor 2, as sh does)
# before each line; `sh FILE` reads them from FILE without a prompt. Each line goes through three
# steps, each in its own file:
#
#   1. read   (this file)   the bytes up to a newline, into LINE. A line of LINE_MAX bytes or
#                           more is not a command: "sh: line too long", and the rest of it up to
#                           the newline is read and dropped, so no input can overflow a buffer.
#   2. parse  (sh-lex.s)    the line becomes tokens (words, with quotes removed and $? expanded,
#                           and the operators | < > >> ; &), then the whole token list is checked
#                           against the grammar before anything runs, so `echo a; | b` runs
#                           nothing: "sh: syntax error: unexpected `|'", status 2.
#   3. run    (sh-run.s)    each pipeline: built-ins (cd, exit, echo) in the shell itself when
#                           they stand alone, else one fork per command, pipes between them,
#                           redirections and exec in the child, and wait for each (unless `&`).
#
# Memory: the buffers are in the demand-zero heap (HEAP_BASE), so the executable stays small and a
# buffer costs a page only once it is touched. The shell keeps its state in the words below
# (in_fd, status, ...) rather than in registers, because every step needs some of it.
#
# Registers: the routines follow lib.s's convention (a0-a3 and t0-t3 are clobbered, s0-s3 kept).
        .include "user.inc"

        .equ LINE_MAX, 1024             # the line buffer; a line must be shorter (without "\n")
        .equ INBUF_SIZE, 512            # bytes asked of each read()
        .equ MAXPIPE, 16                # commands in one pipeline
        .equ INBUF, HEAP_BASE           # what read() returned, not yet consumed
        .equ LINE, HEAP_BASE + 0x1000   # the current line, zero-terminated
        .equ WORDS, HEAP_BASE + 0x2000  # the words of the line after quote removal and $?:
                                        # at most 3/2 of the line (`$?` gives at most 3 digits)
                                        # plus one zero byte per word, so under 4 KiB
        .equ TOKS, HEAP_BASE + 0x3000   # tokens, 8 bytes each: type, word (a line of n bytes
                                        # has at most n tokens and the end: under 8 KiB)
        .equ ARGV, HEAP_BASE + 0x5000   # a command's argv for exec: at most 1023 words and 0
        .equ PATHBUF, HEAP_BASE + 0x7000 # "/bin/" + a command name

        # Token types (TK_END must be 0: the token list ends with it).
        .equ TK_END, 0
        .equ TK_WORD, 1
        .equ TK_PIPE, 2
        .equ TK_IN, 3                   # <
        .equ TK_OUT, 4                  # >
        .equ TK_APPEND, 5               # >>
        .equ TK_SEMI, 6                 # ;
        .equ TK_AMP, 7                  # &
        .equ TOK_SIZE, 8
        .equ TOK_TYPE, 0
        .equ TOK_WORD, 4

# _start(a1 = argc, a2 = argv), as crt0 calls it (lib.s).
_start: mv   s0, a1
        mv   s1, a2
        li   a0, SIGINT                 # Ctrl-C ends the command, not the shell; children
        li   a1, SIG_IGN                # in the foreground take back the default (sh-run.s)
        call signal
        li   t1, 2
        blt  s0, t1, main               # no argument: commands from descriptor 0, with prompts
        lw   a0, 4(s1)
        la   a1, opt_c
        call strcmp
        beqz a0, .string
        lw   a0, 4(s1)                  # sh FILE
        li   a1, O_RDONLY
        call open
        bge  a0, zero, .opened
        mv   a2, a0
        la   a0, sh_name
        lw   a1, 4(s1)
        call perror
        li   a0, 127                    # as sh does for a script it cannot open
        call exit
.opened:
        swg  a0, in_fd, t1
        swg  zero, interactive, t1
        j    main

# sh -c STRING: the commands are STRING (its lines, as if read from a file), as `docker run`'s
# and a Dockerfile's shell form give them (["/bin/sh", "-c", "TEXT"]). The string is put in
# INBUF as if read() had returned it, and the input descriptor is -1, so the next read is the end.
.string:
        li   t1, 3
        blt  s0, t1, .noarg
        lw   a0, 8(s1)
        call strlen
        li   t1, LINE - INBUF
        bge  a0, t1, .huge
        swg  a0, in_len, t1
        swg  zero, in_pos, t1
        li   a0, INBUF
        lw   a1, 8(s1)
        call strcpy
        li   t0, -1
        swg  t0, in_fd, t1
        swg  zero, interactive, t1
        j    main
.noarg: la   a2, m_noarg
        j    .cfail
.huge:  la   a2, m_huge
.cfail: la   a0, sh_name
        la   a1, opt_c
        call err_msg
        li   a0, 2                      # a usage error, as sh's
        call exit

# The read-parse-run loop. Ends at the end of the input with the status of the last command.
main:   call reap
        lwg  t1, interactive
        beqz t1, .read
        li   a0, 2
        la   a1, prompt
        call print_fd
.read:  call readline
        li   t1, -1
        beq  a0, t1, .eof
        li   t1, -2
        beq  a0, t1, .long
        call lex
        bnez a0, .quote
        call check
        bnez a0, .syntax
        call run_line
        j    main
.long:  la   a0, sh_name
        li   a1, 0
        la   a2, m_too_long
        call err_msg
        j    .syntax
.quote: la   a0, sh_syntax
        li   a1, 0
        la   a2, m_quote
        call err_msg
.syntax:
        li   t1, 2                      # a line that is not a command: status 2, as sh
        swg  t1, status, t2
        j    main
.eof:   lwg  a0, status
        call exit

# reap(): collect the background commands that have ended (wait with WNOHANG until there is
# none), so that they do not stay zombies. Silent, as a non-interactive sh is.
reap:   push ra
.more:  li   a0, -1
        li   a1, 0                      # status not wanted
        li   a2, WNOHANG
        call wait
        bgt  a0, zero, .more            # one was reaped: maybe more
        pop  ra                         # 0: none has ended; -ECHILD: no children at all
        ret

# getc() -> a0 = the next byte of the input, or -1 at its end (or if read fails). Input is read
# INBUF_SIZE bytes at a time (from the console, read returns at most one line).
getc:   lwg  t0, in_pos
        lwg  t1, in_len
        blt  t0, t1, .have
        push ra
        lwg  a0, in_fd
        li   a1, INBUF
        li   a2, INBUF_SIZE
        call read
        pop  ra
        swg  zero, in_pos, t1
        ble  a0, zero, .end
        swg  a0, in_len, t1
        li   t0, 0
.have:  li   t1, INBUF
        add  t1, t1, t0
        lbu  a0, 0(t1)
        addi t0, t0, 1
        swg  t0, in_pos, t1
        ret
.end:   swg  zero, in_len, t1
        li   a0, -1
        ret

# unread(): give the bytes read but not yet consumed back to a seekable input (lseek back), so
# that a command that reads the same descriptor (`sh < script` running `cat`) starts right after
# the current line, as with sh. The console and pipes cannot seek: their bytes stay buffered.
unread: lwg  t0, in_pos
        lwg  t1, in_len
        sub  a1, t0, t1                 # -(bytes left)
        beqz a1, .none
        push ra
        lwg  a0, in_fd
        li   a2, SEEK_CUR
        call lseek
        pop  ra
        blt  a0, zero, .none
        swg  zero, in_pos, t1
        swg  zero, in_len, t1
.none:  ret

# readline() -> a0 = the length of the line now in LINE (zero-terminated, without its newline);
# -1 at the end of the input when no byte is left; -2 when the line was LINE_MAX bytes or longer
# (then all of it has been read and dropped). A zero byte in the line becomes a blank, so that it
# cannot cut a word short without the lexer seeing it. The last line may lack its newline.
readline:
        push ra
        push s0
        push s1
        li   s0, 0                      # bytes in LINE
        li   s1, 0                      # 1: too long, dropping bytes up to the newline
.next:  call getc
        blt  a0, zero, .eof
        li   t1, '\n'
        beq  a0, t1, .end
        bnez s1, .next
        li   t1, LINE_MAX - 1
        bge  s0, t1, .toolong
        bnez a0, .store
        li   a0, ' '
.store: li   t1, LINE
        add  t1, t1, s0
        sb   a0, 0(t1)
        addi s0, s0, 1
        j    .next
.toolong:
        li   s1, 1
        j    .next
.eof:   or   t1, s0, s1
        bnez t1, .end                   # a last line without a newline
        li   a0, -1
        j    .out
.end:   li   a0, -2
        bnez s1, .out
        li   t1, LINE
        add  t1, t1, s0
        sb   zero, 0(t1)
        mv   a0, s0
.out:   pop  s1
        pop  s0
        pop  ra
        ret

        .include "sh-lex.s"
        .include "sh-run.s"

prompt:     .asciz "$ "
sh_name:    .asciz "sh"
opt_c:      .asciz "-c"
m_noarg:    .asciz "option requires an argument"
m_huge:     .asciz "the commands are 4096 bytes or longer"
sh_syntax:  .asciz "sh: syntax error"
m_too_long: .asciz "line too long"
m_quote:    .asciz "unterminated quote"
        .align 4
in_fd:       .word 0                    # where commands come from
interactive: .word 1                    # print prompts
in_pos:      .word 0                    # INBUF[in_pos..in_len) is read but not consumed
in_len:      .word 0
status:      .word 0                    # $?: the status of the last foreground pipeline
        .include "echo.inc"
        .include "lib.s"
