# sh-lex.s: the shell's parser (included by sh.s). lex turns LINE into tokens; check verifies
# the token list against the grammar of sh.s's header before anything of the line runs.
#
# Quoting, as in sh: outside quotes a backslash takes the next byte literally; 'single quotes'
# take every byte literally up to the next '; "double quotes" take bytes literally except `$?`
# (expanded) and a backslash before " \ or $. Quotes may join parts into one word (a'b'"c" is
# abc), and '' is an empty word. `#` at the start of a word begins a comment. Blanks (space,
# tab, carriage return) separate words; | ; & < > end a word too, so `echo a>f` is echo a, > f.

# classify(a0 = byte) -> a0 = 0 for a byte of a word, 1 for a blank, 2 for an operator.
# Keeps t0-t3.
classify:
        li   a1, ' '
        beq  a0, a1, .blank
        li   a1, '\t'
        beq  a0, a1, .blank
        li   a1, '\r'
        beq  a0, a1, .blank
        li   a1, '|'
        beq  a0, a1, .op
        li   a1, ';'
        beq  a0, a1, .op
        li   a1, '&'
        beq  a0, a1, .op
        li   a1, '<'
        beq  a0, a1, .op
        li   a1, '>'
        beq  a0, a1, .op
        li   a0, 0
        ret
.blank: li   a0, 1
        ret
.op:    li   a0, 2
        ret

# lex() -> a0 = 0 with the tokens in TOKS (ending with TK_END) and their words in WORDS, or 1
# for an unterminated quote.
# s0 = next byte of LINE, s1 = next free byte of WORDS, s2 = the token being made, s3 = 1 while
# inside a word.
lex:    push ra
        push s0
        push s1
        push s2
        push s3
        li   s0, LINE
        li   s1, WORDS
        li   s2, TOKS
        li   s3, 0
.loop:  lbu  t0, 0(s0)
        beqz t0, .eol
        mv   a0, t0
        call classify
        bnez s3, .inword
        li   t1, 1
        beq  a0, t1, .skip              # a blank between words
        li   t1, 2
        beq  a0, t1, .op
        li   t1, '#'
        beq  t0, t1, .eol               # a comment: the rest of the line
        li   s3, 1                      # a word starts here
        sw   s1, TOK_WORD(s2)
        j    .byte
.inword:
        bnez a0, .endword               # a blank or an operator ends the word
.byte:  li   t1, '\\'
        beq  t0, t1, .bslash
        li   t1, '\''
        beq  t0, t1, .squote
        li   t1, '"'
        beq  t0, t1, .dquote
        li   t1, '$'
        beq  t0, t1, .dollar
.plain: sb   t0, 0(s1)
        addi s1, s1, 1
.skip:  addi s0, s0, 1
        j    .loop
.bslash:
        lbu  t0, 1(s0)
        beqz t0, .lastbs                # a backslash ending the line stands for itself
        addi s0, s0, 1
        j    .plain
.lastbs:
        li   t0, '\\'
        j    .plain
.dollar:
        lbu  t1, 1(s0)
        li   t2, '?'
        bne  t1, t2, .plain             # $ not followed by ? is a plain $
        call .status
        j    .skip
.squote:
        addi s0, s0, 1
.sq:    lbu  t0, 0(s0)
        beqz t0, .unterminated
        li   t1, '\''
        beq  t0, t1, .skip
        sb   t0, 0(s1)
        addi s1, s1, 1
        addi s0, s0, 1
        j    .sq
.dquote:
        addi s0, s0, 1
.dq:    lbu  t0, 0(s0)
        beqz t0, .unterminated
        li   t1, '"'
        beq  t0, t1, .skip
        li   t1, '$'
        bne  t0, t1, .dqbs
        lbu  t1, 1(s0)
        li   t2, '?'
        bne  t1, t2, .dqbyte
        call .status
        addi s0, s0, 1
        j    .dq
.dqbs:  li   t1, '\\'
        bne  t0, t1, .dqbyte
        lbu  t1, 1(s0)                  # \" \\ \$ inside double quotes: the byte itself
        li   t2, '"'
        beq  t1, t2, .dqesc
        li   t2, '\\'
        beq  t1, t2, .dqesc
        li   t2, '$'
        bne  t1, t2, .dqbyte            # any other backslash stays
.dqesc: addi s0, s0, 1
        mv   t0, t1
.dqbyte:
        sb   t0, 0(s1)
        addi s1, s1, 1
        addi s0, s0, 1
        j    .dq
.endword:
        sb   zero, 0(s1)                # the word's zero byte; the byte at s0 is seen again
        addi s1, s1, 1
        li   t1, TK_WORD
        sw   t1, TOK_TYPE(s2)
        addi s2, s2, TOK_SIZE
        li   s3, 0
        j    .loop
.op:    li   t1, TK_PIPE                # which operator
        li   t2, '|'
        beq  t0, t2, .emit
        li   t1, TK_SEMI
        li   t2, ';'
        beq  t0, t2, .emit
        li   t1, TK_AMP
        li   t2, '&'
        beq  t0, t2, .emit
        li   t1, TK_IN
        li   t2, '<'
        beq  t0, t2, .emit
        li   t1, TK_OUT                 # '>', or '>>'
        lbu  t2, 1(s0)
        li   t3, '>'
        bne  t2, t3, .emit
        li   t1, TK_APPEND
        addi s0, s0, 1
.emit:  sw   t1, TOK_TYPE(s2)
        sw   zero, TOK_WORD(s2)
        addi s2, s2, TOK_SIZE
        j    .skip
.eol:   beqz s3, .end
        sb   zero, 0(s1)
        addi s1, s1, 1
        li   t1, TK_WORD
        sw   t1, TOK_TYPE(s2)
        addi s2, s2, TOK_SIZE
.end:   sw   zero, TOK_TYPE(s2)         # TK_END
        li   a0, 0
        j    .out
.unterminated:
        li   a0, 1
.out:   pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret
# .status: append $? in decimal at s1 (0..255: at most 3 digits); s0 is left on the `$`.
.status:
        lwg  t0, status
        li   t1, 100
        blt  t0, t1, .tens
        divu t2, t0, t1
        addi t2, t2, '0'
        sb   t2, 0(s1)
        addi s1, s1, 1
        remu t0, t0, t1
        li   t1, 10
        j    .ten                       # after a hundreds digit, the tens digit even if 0
.tens:  li   t1, 10
        blt  t0, t1, .one
.ten:   divu t2, t0, t1
        addi t2, t2, '0'
        sb   t2, 0(s1)
        addi s1, s1, 1
        remu t0, t0, t1
.one:   addi t0, t0, '0'
        sb   t0, 0(s1)
        addi s1, s1, 1
        addi s0, s0, 1                  # past the `$`; the caller steps past the `?`
        ret

# check() -> a0 = 0 if the tokens follow the grammar; else 1, after printing what is wrong:
# "sh: syntax error: unexpected `TOKEN'" or "... unexpected end of line" (`echo |`, `cat <`),
# or "sh: syntax error: more than 16 commands in a pipeline".
# t0 = the token, t1 = 1 once the current command has a word or a redirection, t2 = 1 right
# after a `|`, t3 = commands so far in this pipeline.
check:  li   t0, TOKS
        li   t1, 0
        li   t2, 0
        li   t3, 1
.next:  lw   a0, TOK_TYPE(t0)
        beqz a0, .end
        li   a1, TK_WORD
        beq  a0, a1, .word
        li   a1, TK_PIPE
        beq  a0, a1, .pipe
        li   a1, TK_SEMI
        bge  a0, a1, .sep
        lw   a0, TOK_SIZE(t0)           # a redirection: a word must follow
        beqz a0, .eol
        li   a1, TK_WORD
        bne  a0, a1, .unexpected
        addi t0, t0, TOK_SIZE
.word:  li   t1, 1
        j    .step
.pipe:  beqz t1, .unexpected
        li   t1, 0
        li   t2, 1
        addi t3, t3, 1
        li   a1, MAXPIPE
        bgt  t3, a1, .toolong
        j    .step
.sep:   beqz t1, .unexpected            # `;;`, `; x`, `& x`, `| ;`
        li   t1, 0
        li   t2, 0
        li   t3, 1
.step:  addi t0, t0, TOK_SIZE
        j    .next
.end:   beqz t2, .ok
        bnez t1, .ok
.eol:   la   a2, m_eol
        j    .fail
.toolong:
        la   a2, m_pipe_long
        j    .fail
.unexpected:                            # a0 = the token's type: its text from tk_names
        la   a1, tk_names
        slli a0, a0, 2
        add  a1, a1, a0
        lw   a1, 0(a1)
        la   a0, unexpected_tok
        push ra
        call strcpy                     # "unexpected `" + the token + "'"
        la   a1, m_quote_end
        call strcpy
        pop  ra
        la   a2, m_unexpected
.fail:  push ra
        la   a0, sh_syntax
        li   a1, 0
        call err_msg
        pop  ra
        li   a0, 1
        ret
.ok:    li   a0, 0
        ret

m_eol:        .asciz "unexpected end of line"
m_pipe_long:  .asciz "more than 16 commands in a pipeline"
m_quote_end:  .asciz "'"
tk_pipe:      .asciz "|"
tk_in:        .asciz "<"
tk_out:       .asciz ">"
tk_append:    .asciz ">>"
tk_semi:      .asciz ";"
tk_amp:       .asciz "&"
m_unexpected: .ascii "unexpected `"
unexpected_tok: .space 4                # the operator and "'" are copied here
        .align 4
tk_names: .word 0, 0, tk_pipe, tk_in, tk_out, tk_append, tk_semi, tk_amp
