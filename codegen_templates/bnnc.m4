m4_divert(-1)
m4_dnl # bnnc.m4 - macros shared by the templates of generated files.
m4_dnl #
m4_dnl # Conventions (as in GNU Bison's skeletons):
m4_dnl #   - m4 runs with -P, so builtins are only known as m4_*; every macro
m4_dnl #     defined here starts with bt_, and generated C never uses either
m4_dnl #     prefix, so C identifiers such as index or len are never expanded;
m4_dnl #   - quotes are <| and |> (C code uses ` and ' and [ ] freely);
m4_dnl #   - comments are disabled, so lines starting with # are expanded too;
m4_dnl #   - arguments are referenced as <|$n|> in bodies so user text (node
m4_dnl #     names, descriptions) is never rescanned as macros;
m4_dnl #   - a macro given the wrong number of arguments stops m4 with an error.
m4_changequote(<|, |>)
m4_changecom()

m4_dnl # bt_fatal(MESSAGE)
m4_dnl # -----------------
m4_dnl # Stop with an error: bad template parameters are a bug in bnnc. bnnc
m4_dnl # runs m4 with -E -E, so the first warning ends it with a non-zero
m4_dnl # status; m4exit itself is disabled below. The warning is an excess
m4_dnl # argument to divnum.
m4_define(<|bt_fatal|>, <|m4_errprint(<|bnnc template error: $1
|>)m4_divnum(<|stop|>)|>)

m4_dnl # bt_check_args(NAME, EXPECTED, GOT)
m4_dnl # ----------------------------------
m4_define(<|bt_check_args|>,
<|m4_ifelse(<|$2|>, <|$3|>, <||>,
            <|bt_fatal(<|$1 needs $2 arguments, got $3|>)|>)|>)

m4_dnl # bt_require(NAME)
m4_dnl # ----------------
m4_dnl # Stop unless the model description defined NAME.
m4_define(<|bt_require|>,
<|m4_ifdef(<|$1|>, <||>, <|bt_fatal(<|the model does not define $1|>)|>)|>)

m4_dnl # bt_mode
m4_dnl # -------
m4_dnl # run: the steps expand as the body of <prefix>_run_with_arena; part
m4_dnl # (net.c.m4 redefines it): as the body of a worker of a parallel run.
m4_define(<|bt_mode|>, <|run|>)

m4_dnl # bt_step_call(FUNC, ARGS, INDEX, NODE, PART_CALL)
m4_dnl # -----------------------------------------------
m4_dnl # The call of FUNC(&p, ARGS) as step INDEX, p being the step's parameter
m4_dnl # struct: one <PREFIX>_RUN_STEP (the step fails the run with its number,
m4_dnl # and is profiled when asked), or in a worker (bt_mode part) PART_CALL,
m4_dnl # the call of the kernel's part entry point (bnn_part.h) for this worker,
m4_dnl # or, when it is empty, the call made by worker 0 alone; then the
m4_dnl # barrier (<PREFIX>_PART_STEP).
m4_define(<|bt_step_call|>, <|bt_check_args(<|bt_step_call|>, 5, $#)m4_dnl
m4_ifelse(bt_mode, <|part|>, <|bt_uprefix<||>_PART_STEP(<|$3|>, "<|$4|>", m4_ifelse(<|$5|>, <||>, <|part ? BNN_OK : <|$1|>(&p, <|$2|>)|>, <|<|$5|>|>));|>, <|bt_uprefix<||>_RUN_STEP(<|$3|>, "<|$4|>", <|$1|>(&p, <|$2|>));|>)|>)

m4_dnl # bt_call_params(FUNC, PARAMS_TYPE, INITIALIZER, ARGS, INDEX, NODE, OP, WHAT,
m4_dnl #                PART_CALL)
m4_dnl # -------------------------------------------------------------------------
m4_dnl # A runtime call taking a const parameter struct, kept in flash, made by
m4_dnl # bt_step_call. Every runtime call of a model is one of these or a
m4_dnl # bt_call_residual.
m4_define(<|bt_call_params|>, <|bt_check_args(<|bt_call_params|>, 9, $#)m4_dnl
    /* <|$6|> (<|$7|>): <|$8|> */
    {
        static const <|$2|> p = {<|$3|>};
        bt_step_call(<|$1|>, <|$4|>, <|$5|>, <|$6|>, <|$9|>)
    }
|>)

m4_dnl # bt_call_residual(FUNC, PARAMS_TYPE, INITIALIZER, ARGS, INDEX, NODE, OP, WHAT,
m4_dnl #                  RESIDUAL, PART_CALL)
m4_dnl # ------------------------------------------------------------------------------------
m4_dnl # bt_call_params for a binary convolution that adds a residual tensor of
m4_dnl # the arena (or the caller's buffers): the parameters stay in flash and a
m4_dnl # copy on the stack gets the residual's address, known only at run time.
m4_define(<|bt_call_residual|>, <|bt_check_args(<|bt_call_residual|>, 10, $#)m4_dnl
    /* <|$6|> (<|$7|>): <|$8|> */
    {
        static const <|$2|> p0 = {<|$3|>};
        <|$2|> p = p0;
        p.residual = <|$9|>;
        bt_step_call(<|$1|>, <|$4|>, <|$5|>, <|$6|>, <|$10|>)
    }
|>)

m4_dnl # bt_copy(DST, SRC, BYTES, INDEX, NODE, OP, WHAT)
m4_dnl # -----------------------------------------------
m4_dnl # In a worker: made by worker 0, then the barrier.
m4_define(<|bt_copy|>, <|bt_check_args(<|bt_copy|>, 7, $#)m4_dnl
    /* <|$5|> (<|$6|>): <|$7|> */
    m4_ifelse(bt_mode, <|part|>, <|bt_uprefix<||>_PART_STEP(<|$4|>, "<|$5|>", part ? BNN_OK : (memcpy(<|$1|>, <|$2|>, <|$3|>), BNN_OK));|>, <|bt_uprefix<||>_RUN_STEP(<|$4|>, "<|$5|>", (memcpy(<|$1|>, <|$2|>, <|$3|>), BNN_OK));|>)
|>)

m4_dnl # Builtins the templates do not need are removed before the model
m4_dnl # description and the templates are read: nothing that m4 reads after
m4_dnl # this point can run a command, read or write a file other than the
m4_dnl # spliced ones (undivert), stop m4 early or change the quoting. Text from
m4_dnl # the model is never scanned anyway (emit.c defines it as quoted data);
m4_dnl # this is the second wall.
m4_undefine(<|m4_esyscmd|>)m4_undefine(<|m4_syscmd|>)m4_undefine(<|m4_sysval|>)
m4_undefine(<|m4_include|>)m4_undefine(<|m4_sinclude|>)m4_undefine(<|m4_m4exit|>)
m4_undefine(<|m4_maketemp|>)m4_undefine(<|m4_mkstemp|>)m4_undefine(<|m4_debugfile|>)
m4_undefine(<|m4_debugmode|>)m4_undefine(<|m4_traceon|>)m4_undefine(<|m4_traceoff|>)
m4_undefine(<|m4_dumpdef|>)m4_undefine(<|m4_m4wrap|>)m4_undefine(<|m4_changecom|>)
m4_undefine(<|m4_builtin|>)m4_undefine(<|m4_indir|>)m4_undefine(<|m4_changequote|>)
m4_divert(0)m4_dnl
