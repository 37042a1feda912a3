# sh-run.s: the shell runs a checked token list (included by sh.s).
#
# A pipeline of n commands is n children: for each command the shell makes a pipe to the next
# one (pipe), forks, and the child moves the pipe ends onto descriptors 0 and 1 (dup2), closes
# every other end, opens its redirections (which win over the pipe, as in sh), puts SIGINT back
# to its default when it runs in the foreground, and execs /bin/NAME (or NAME itself when it has
# a `/`). The parent closes its copies of the ends, so that a reader sees the end of its input
# once its writer exits, then waits for each child in order (waitpid); the last one's status
# becomes $?. With `&` it does not wait: reap (sh.s) collects such children before each prompt.
#
# The built-ins cd, exit and echo run in the shell itself when they are a whole pipeline without
# redirections: cd must change the shell's own directory, and exit end the shell. Anywhere else
# (in a pipeline, with a redirection, with `&`) they run in the forked child like any command, as
# sh runs them in a subshell: `cd /x | cat` does not change the shell's directory.

# run_line(): run the pipelines of the line one after another. Before each one the line is
# lexed again, so that its $? is the status of the pipeline just before it (`false; echo $?`
# prints 1), as sh expands a command's words only when it runs it; the tokens are the same each
# time, only the words' text changes.
# s0 = the token being looked at, s1 = commands in the pipeline being collected, s2 = pipelines
# run so far.
run_line:
        push ra
        push s0
        push s1
        push s2
        call unread
        li   s2, 0
.list:  call lex
        li   s0, TOKS                   # skip the s2 pipelines already run
        mv   t3, s2
.find:  beqz t3, .found
        lw   t0, TOK_TYPE(s0)
        beqz t0, .done
        li   t1, TK_SEMI
        blt  t0, t1, .over
        addi t3, t3, -1                 # a ; or & ends one
.over:  addi s0, s0, TOK_SIZE
        j    .find
.found: lw   t0, TOK_TYPE(s0)
        beqz t0, .done
        li   s1, 0
.cmd:   la   t1, cmds                   # cmds[s1] = the command's first token
        slli t2, s1, 2
        add  t1, t1, t2
        sw   s0, 0(t1)
        addi s1, s1, 1
.scan:  lw   t0, TOK_TYPE(s0)
        beqz t0, .pipeline
        li   t1, TK_PIPE
        beq  t0, t1, .nextcmd
        li   t1, TK_SEMI
        bge  t0, t1, .pipeline
        addi s0, s0, TOK_SIZE           # a word or a redirection
        j    .scan
.nextcmd:
        addi s0, s0, TOK_SIZE
        j    .cmd
.pipeline:                              # t0 = what ends it: TK_END, TK_SEMI or TK_AMP
        li   a1, 0
        li   t1, TK_AMP
        bne  t0, t1, .run
        li   a1, 1
.run:   mv   a0, s1
        call run_pipeline
        addi s2, s2, 1
        j    .list
.done:  pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# terminator(a0 = token type) -> a0 = 1 if it ends a command (end, |, ;, &), else 0.
terminator:
        beqz a0, .yes
        li   a1, TK_PIPE
        beq  a0, a1, .yes
        li   a1, TK_SEMI
        bge  a0, a1, .yes
        li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# build_argv(a0 = a command's first token) -> a0 = argc, a1 = its redirections; ARGV holds its
# words and a 0.
build_argv:
        push ra
        push s0
        push s1
        push s2
        mv   s0, a0                     # the token
        li   s1, ARGV                   # the next argv slot
        li   s2, 0                      # redirections
.next:  lw   a0, TOK_TYPE(s0)
        call terminator
        bnez a0, .end
        lw   a0, TOK_TYPE(s0)
        li   t1, TK_WORD
        beq  a0, t1, .word
        addi s2, s2, 1                  # a redirection and its file name
        addi s0, s0, TOK_SIZE
        j    .step
.word:  lw   t1, TOK_WORD(s0)
        sw   t1, 0(s1)
        addi s1, s1, 4
.step:  addi s0, s0, TOK_SIZE
        j    .next
.end:   sw   zero, 0(s1)
        li   t1, ARGV
        sub  a0, s1, t1
        srli a0, a0, 2
        mv   a1, s2
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# run_pipeline(a0 = commands, their first tokens in cmds; a1 = 1 for `&`). Sets status.
# s0 = commands, s1 = 1 in the background, s2 = the command being started, s3 = the read end of
# the pipe from the command before it (-1 for the first).
run_pipeline:
        push ra
        push s0
        push s1
        push s2
        push s3
        mv   s0, a0
        mv   s1, a1
        swg  zero, broken, t1
        li   t1, 1                      # a lone foreground command may be a built-in
        bne  s0, t1, .fork
        bnez s1, .fork
        lwg  a0, cmds
        call build_argv
        beqz a0, .fork                  # only redirections: a child makes the files
        bnez a1, .fork                  # redirected: in a child, whose descriptors change
        call builtin
        blt  a0, zero, .fork            # not a built-in
        swg  a0, status, t1
        j    .out
.fork:  li   s2, 0
        li   s3, -1
.each:  bge  s2, s0, .started
        addi t1, s0, -1
        bge  s2, t1, .nopipe            # the last command writes where the shell does
        la   a0, fds
        call pipe
        blt  a0, zero, .pipefail
.nopipe:
        call fork
        blt  a0, zero, .forkfail
        beqz a0, .child
        la   t1, pids
        slli t2, s2, 2
        add  t1, t1, t2
        sw   a0, 0(t1)
        blt  s3, zero, .noprev          # the parent's copy of the ends the child has now
        mv   a0, s3
        call close
.noprev:
        li   s3, -1
        addi t1, s0, -1
        bge  s2, t1, .last
        lwg  a0, fds + 4
        call close
        lwg  s3, fds
.last:  addi s2, s2, 1
        j    .each
.child: mv   a0, s2
        mv   a1, s0
        mv   a2, s3
        mv   a3, s1
        call child                      # does not return
.pipefail:
        mv   a2, a0
        la   a0, sh_name
        la   a1, s_pipe
        call perror
        j    .broken
.forkfail:
        mv   a2, a0
        la   a0, sh_name
        la   a1, s_fork
        call perror
        addi t1, s0, -1
        bge  s2, t1, .broken
        lwg  a0, fds                    # the pipe made for the child that did not start
        call close
        lwg  a0, fds + 4
        call close
.broken:
        blt  s3, zero, .closed
        mv   a0, s3
        call close
.closed:
        li   t1, 1
        swg  t1, broken, t2
        mv   s0, s2                     # only the first s2 commands were started
.started:
        li   t1, 0                      # `&`: $? is 0, as in sh
        bnez s1, .setstatus
        li   s2, 0                      # wait for each child, in order
.wait:  bge  s2, s0, .waited
        la   t1, wstat
        sw   zero, 0(t1)
        la   t1, pids
        slli t2, s2, 2
        add  t1, t1, t2
        lw   a0, 0(t1)
        la   a1, wstat
        li   a2, 0
        call wait
        addi s2, s2, 1
        j    .wait
.waited:
        lwg  a0, wstat                  # the last command's
        call exit_status
        mv   t1, a0
.setstatus:
        lwg  t2, broken
        beqz t2, .set
        li   t1, 1
.set:   swg  t1, status, t2
.out:   pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# exit_status(a0 = a wait status) -> a0 = the value of $?: the exit code, or 128 + the signal
# that ended the process (as bash).
exit_status:
        andi t0, a0, W_SIGMASK
        bnez t0, .signal
        srli a0, a0, W_EXITCODE_SHIFT
        andi a0, a0, 255
        ret
.signal:
        addi a0, t0, 128
        ret

# child(a0 = which command, a1 = commands, a2 = read end of the pipe before it or -1, a3 = 1 in
# the background): in the forked child, set up the descriptors and run the command. Never
# returns: exec, or exit with 0 (no words), a built-in's status, 1 (a redirection failed), 127
# (not found) or 126 (found, but exec failed).
child:  mv   s0, a0
        mv   s1, a1
        mv   s2, a2
        mv   s3, a3
        blt  s2, zero, .noin
        mv   a0, s2                     # stdin from the pipe before
        li   a1, 0
        call dup2
        mv   a0, s2
        call close
.noin:  addi t1, s1, -1
        bge  s0, t1, .noout
        lwg  a0, fds                    # stdout into the pipe to the next command
        call close
        lwg  a0, fds + 4
        li   a1, 1
        call dup2
        lwg  a0, fds + 4
        call close
.noout: lwg  a0, in_fd                  # the script is the shell's, not the command's
        li   t1, 2
        ble  a0, t1, .sig
        call close
.sig:   bnez s3, .redir                 # in the background SIGINT stays ignored
        li   a0, SIGINT
        li   a1, SIG_DFL
        call signal
.redir: la   t1, cmds
        slli t2, s0, 2
        add  t1, t1, t2
        lw   s0, 0(t1)                  # s0 = the command's first token
        mv   a0, s0
        call do_redirs
        bnez a0, .exit1
        mv   a0, s0
        call build_argv
        beqz a0, .exit                  # only redirections: done (a0 = 0)
        call builtin
        bge  a0, zero, .exit
        li   t1, ARGV
        lw   s1, 0(t1)                  # s1 = the command's name
        lbu  t1, 0(s1)
        beqz t1, .notfound              # '' names no program
        mv   s2, s1                     # s2 = the path: the name if it has a slash
        mv   t0, s1
.slash: lbu  t1, 0(t0)
        beqz t1, .bin
        addi t0, t0, 1
        li   t2, '/'
        bne  t1, t2, .slash
        j    .exec
.bin:   li   a0, PATHBUF                # else /bin/NAME
        la   a1, s_bin
        call strcpy
        mv   a1, s1
        call strcpy
        li   s2, PATHBUF
.exec:  mv   a0, s2
        li   a1, ARGV
        call exec
        mv   s3, a0                     # exec returned: -errno
        li   t1, -ENOENT
        bne  s3, t1, .cannot
        bne  s2, s1, .notfound          # a name looked up in /bin
        la   a0, sh_name                # a path: "sh: ./x: No such file or directory"
        mv   a1, s1
        mv   a2, s3
        call perror
        j    .exit127
.notfound:
        la   a0, sh_name
        mv   a1, s1
        la   a2, m_not_found
        call err_msg
.exit127:
        li   a0, 127
        j    .exit
.cannot:
        la   a0, sh_name
        mv   a1, s2
        mv   a2, s3
        call perror
        li   a0, 126
        j    .exit
.exit1: li   a0, 1
.exit:  call exit

# do_redirs(a0 = a command's first token) -> a0 = 0, or -1 after "sh: FILE: message" when a
# file cannot be opened. In order, each `< f` opens f onto descriptor 0, each `> f` (created or
# emptied) and `>> f` (created or appended to) onto descriptor 1.
do_redirs:
        push ra
        push s0
        push s1
        mv   s0, a0
.next:  lw   a0, TOK_TYPE(s0)
        call terminator
        bnez a0, .ok
        lw   t0, TOK_TYPE(s0)
        li   t1, TK_WORD
        beq  t0, t1, .step
        lw   a0, 12(s0) # the file name, the next token
        li   a1, O_RDONLY
        li   s1, 0
        li   t1, TK_IN
        beq  t0, t1, .open
        li   s1, 1
        li   a1, O_WRONLY | O_CREAT | O_TRUNC
        li   t1, TK_OUT
        beq  t0, t1, .open
        li   a1, O_WRONLY | O_CREAT | O_APPEND
.open:  call open
        blt  a0, zero, .fail
        beq  a0, s1, .file              # it got the right number already
        push a0
        mv   a1, s1
        call dup2
        pop  a0
        call close
.file:  addi s0, s0, TOK_SIZE
.step:  addi s0, s0, TOK_SIZE
        j    .next
.fail:  mv   a2, a0
        la   a0, sh_name
        lw   a1, 12(s0)
        call perror
        li   a0, -1
        j    .out
.ok:    li   a0, 0
.out:   pop  s1
        pop  s0
        pop  ra
        ret

# builtin(a0 = argc; the words in ARGV) -> a0 = the status of the built-in ARGV[0] names, or -1
# if it names none. exit does not return.
builtin:
        push ra
        push s0
        mv   s0, a0
        li   t1, ARGV
        lw   a0, 0(t1)
        la   a1, s_cd
        call strcmp
        beqz a0, .cd
        li   t1, ARGV
        lw   a0, 0(t1)
        la   a1, s_exit
        call strcmp
        beqz a0, .exit
        li   t1, ARGV
        lw   a0, 0(t1)
        la   a1, s_echo
        call strcmp
        beqz a0, .echo
        li   a0, -1
        j    .out
.echo:  mv   a0, s0
        li   a1, ARGV
        call echo_args
        j    .out
.cd:    la   a0, s_root                 # cd [dir]: the root without an argument
        li   t1, 2
        blt  s0, t1, .chdir
        li   t1, ARGV
        lw   a0, 4(t1)
.chdir: push a0
        call chdir
        pop  a1
        bge  a0, zero, .cdok
        mv   a2, a0
        la   a0, s_sh_cd
        call perror                     # "sh: cd: DIR: No such file or directory"
        li   a0, 1
        j    .out
.cdok:  li   a0, 0
        j    .out
.exit:  lwg  a0, status                 # exit [n]: without n, the last status
        li   t1, 2
        blt  s0, t1, .bye
        li   t1, ARGV
        lw   a0, 4(t1)
        call atoi
        beqz a1, .bye
        la   a0, s_sh_exit
        li   t1, ARGV
        lw   a1, 4(t1)
        la   a2, m_numeric
        call err_msg
        li   a0, 2
.bye:   andi a0, a0, 255
        call exit
.out:   pop  s0
        pop  ra
        ret

s_cd:        .asciz "cd"
s_exit:      .asciz "exit"
s_echo:      .asciz "echo"
s_root:      .asciz "/"
s_bin:       .asciz "/bin/"
s_pipe:      .asciz "pipe"
s_fork:      .asciz "fork"
s_sh_cd:     .asciz "sh: cd"
s_sh_exit:   .asciz "sh: exit"
m_not_found: .asciz "not found"
m_numeric:   .asciz "numeric argument required"
        .align 4
cmds:   .space MAXPIPE * 4              # the first token of each command of the pipeline
pids:   .space MAXPIPE * 4              # the pid of each command started
fds:    .word 0, 0                      # pipe(): read end, write end
wstat:  .word 0                         # wait()'s status word
broken: .word 0                         # 1: pipe or fork failed, not every command started
