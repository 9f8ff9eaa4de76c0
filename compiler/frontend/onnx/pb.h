/*
 * pb.h - a bounds-checked reader of the protobuf wire format, enough for
 * ONNX (proto2): varints, fixed 32/64-bit values, length-delimited
 * records, packed and unpacked repeated scalars. Groups (wire types 3/4)
 * are refused; ONNX declares none.
 *
 * A message is read in two passes over the same bytes. pb_scan() checks
 * every key, wire type, varint and length of one message level (nested
 * messages are only bounds-checked, not entered) and counts the elements
 * of every known field, so the caller allocates exact arrays; pb_next()
 * then walks the fields in order. Nothing recurses here: the caller
 * enters nested messages with pb_enter() and limits its own depth.
 *
 * Offsets are absolute byte offsets into the file, and every error names
 * one: "<file>: byte 1234: <where>: TensorProto.dims: varint longer than
 * 10 bytes", where <where> is the path the caller pushed with
 * pb_where_push() (node, attribute, initializer...).
 */
#ifndef BNNC_FRONTEND_ONNX_PB_H
#define BNNC_FRONTEND_ONNX_PB_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/err.h"

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4,
       PB_I32 = 5 };

/* How a known field is declared. Singular scalars accept only their wire
 * type (a repeated occurrence: the last wins); repeated scalars accept
 * both the unpacked form and the packed LEN form; a singular message that
 * occurs twice is refused (ONNX writers never merge messages). */
typedef enum {
    PB_K_VARINT,     /* int32, int64, uint64, enum */
    PB_K_I32,        /* float */
    PB_K_I64,        /* double */
    PB_K_STR,        /* string / bytes */
    PB_K_MSG,        /* embedded message */
    PB_K_REP_LEN,    /* repeated string, bytes or message */
    PB_K_REP_VARINT, /* repeated int32/int64/uint64 */
    PB_K_REP_I32,    /* repeated float */
    PB_K_REP_I64     /* repeated double */
} pb_kind;

typedef struct {
    uint32_t number;
    const char *name;
    pb_kind kind;
} pb_field_desc;

typedef struct {
    const char *name;             /* "TensorProto" */
    const pb_field_desc *fields;  /* sorted by nothing; looked up linearly */
    size_t n_fields;              /* at most PB_MAX_FIELDS */
} pb_msg_desc;

#define PB_MAX_FIELDS 32
#define PB_WHERE_MAX 480

/* One parse: the whole file and where errors go. */
typedef struct {
    const uint8_t *buf;
    size_t len;
    const char *label;    /* file name for messages */
    bnnc_err *err;
    char where[PB_WHERE_MAX];
    size_t where_len;
} pb_ctx;

/* One message level: bytes [start, end) of ctx->buf, cursor at pos. */
typedef struct {
    pb_ctx *ctx;
    const pb_msg_desc *desc;
    size_t start, pos, end;
} pb_msg;

/* One field record as pb_next() returns it. */
typedef struct {
    uint32_t number;
    int wire;
    int index;             /* index into desc->fields, -1 if unknown */
    size_t key_off;        /* offset of the key */
    size_t val_off;        /* offset of the value (LEN: of the payload) */
    uint64_t u;            /* VARINT value, or I32/I64 bits */
    size_t len;            /* LEN payload length */
} pb_field;

/* What pb_scan() learns about one message level. */
typedef struct {
    size_t count[PB_MAX_FIELDS];    /* elements per known field */
    size_t last_off[PB_MAX_FIELDS]; /* key offset of the last record, or
                                       SIZE_MAX when absent */
    size_t last_val[PB_MAX_FIELDS]; /* its value offset (LEN: payload) */
    size_t last_len[PB_MAX_FIELDS]; /* its LEN payload length */
} pb_scan_result;

/* Format "<label>: byte <off>: [<where>: ]<msg>.<field>: <text>" into
 * ctx->err; field may be NULL. Returns -1. */
int pb_fail(pb_ctx *ctx, size_t off, const pb_msg_desc *msg,
            const char *field, const char *fmt, ...) BNNC_PRINTF(5, 6);

/* Append ": <text>" (formatted, names made printable by the caller) to
 * the error path; returns the previous length for pb_where_pop(). */
size_t pb_where_push(pb_ctx *ctx, const char *fmt, ...) BNNC_PRINTF(2, 3);
void pb_where_pop(pb_ctx *ctx, size_t mark);

/* The whole buffer as a message of type desc. */
void pb_root(pb_ctx *ctx, const pb_msg_desc *desc, pb_msg *out);

/* The LEN payload of field f (of message m) as a message of type desc. */
void pb_enter(const pb_msg *m, const pb_field *f, const pb_msg_desc *desc,
              pb_msg *out);

/* Check one message level and count its known fields (see above). Also
 * checks the structure of packed payloads (whole elements, varints
 * terminated). Does not move m. */
int pb_scan(const pb_msg *m, pb_scan_result *r);

/* Next field of m: 1 and *f filled, 0 at the end, -1 on error. */
int pb_next(pb_msg *m, pb_field *f);

/* Decode a varint at buf[*pos] (absolute offset) below end; at most 10
 * bytes and no bits beyond 64. msg/field name it in errors. */
int pb_varint(pb_ctx *ctx, size_t *pos, size_t end, const pb_msg_desc *msg,
              const char *field, uint64_t *v);

/* The elements of a repeated scalar field record f, one by one: an
 * unpacked record holds one, a packed one every value of its payload.
 * VARINT fields give the 64-bit values, I32 the float bits (low 32 bits),
 * I64 the double bits. */
typedef struct {
    const pb_msg *m;
    const pb_field *f;
    size_t pos, end;
    int kind;              /* PB_VARINT, PB_I32 or PB_I64 */
    int single_left;       /* unpacked record not yet returned */
} pb_rep_iter;

void pb_rep_begin(const pb_msg *m, const pb_field *f, pb_rep_iter *it);
/* 1 and *v (and *off, the element's offset, if non-NULL), 0 at the end,
 * -1 on error. */
int pb_rep_next(pb_rep_iter *it, uint64_t *v, size_t *off);

/* The field's declared name for messages ("dims"), or "field <n>". */
const char *pb_field_name(const pb_msg *m, const pb_field *f, char *buf,
                          size_t size);

/* A varint field value as int32 (values outside INT32 are refused, as
 * protobuf would silently truncate them). */
int pb_int32(const pb_msg *m, const pb_field *f, int32_t *v);

float pb_f32(uint64_t bits);
double pb_f64(uint64_t bits);
uint32_t pb_le32(const uint8_t *p);
uint64_t pb_le64(const uint8_t *p);

#endif
