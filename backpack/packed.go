package backpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"reflect"
)

// A store of a state's students holds tens of millions of submitted values. Kept as Go
// structs they were a heap of strings that the garbage collector marks on every cycle of
// a long-running service (most of a cycle's work, though a search never reads them).
// The store keeps each record's values packed instead: one byte string per record, its
// strings replaced by numbers in a symbol table, decoded when a backpack is built.

// symbols numbers distinct strings. Only strs holds pointers: the index by hash and the
// chain of equal hashes are numbers.
type symbols struct {
	hash   func(string) uint64
	byHash map[uint64]uint32 // hash → the first symbol with it
	next   []uint32          // symbol → the next symbol with its hash, or noSymbol
	strs   []string
}

const noSymbol = math.MaxUint32

func newSymbols() *symbols {
	seed := maphash.MakeSeed()
	return &symbols{hash: func(s string) uint64 { return maphash.String(seed, s) }, byHash: map[uint64]uint32{}}
}

// lookup returns the symbol of s, if it has one.
func (y *symbols) lookup(s string) (uint32, bool) {
	id, ok := y.byHash[y.hash(s)]
	for ok && id != noSymbol {
		if y.strs[id] == s {
			return id, true
		}
		id = y.next[id]
	}
	return 0, false
}

// id returns the symbol of s, numbering it if it is new.
func (y *symbols) id(s string) uint32 {
	h := y.hash(s)
	first, ok := y.byHash[h]
	for id := first; ok && id != noSymbol; id = y.next[id] {
		if y.strs[id] == s {
			return id
		}
	}
	id := uint32(len(y.strs))
	y.strs = append(y.strs, s)
	if ok {
		y.next = append(y.next, first) // the new symbol heads its hash's chain
	} else {
		y.next = append(y.next, noSymbol)
	}
	y.byHash[h] = id
	return id
}

// arena holds packed records in large chunks, so that a million records are a few
// hundred objects.
type arena struct{ chunks [][]byte }

// span locates a packed record in an arena.
type span struct{ chunk, off, n uint32 }

const arenaChunk = 1 << 20

// put copies b into the arena.
func (a *arena) put(b []byte) span {
	last := len(a.chunks) - 1
	if last < 0 || len(a.chunks[last])+len(b) > cap(a.chunks[last]) {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, len(b))))
		last++
	}
	c := a.chunks[last]
	sp := span{chunk: uint32(last), off: uint32(len(c)), n: uint32(len(b))}
	a.chunks[last] = append(c, b...)
	return sp
}

// get returns the bytes of sp (not to be modified).
func (a *arena) get(sp span) []byte {
	return a.chunks[sp.chunk][sp.off : sp.off+sp.n]
}

// pack appends v (a value of the store's types: strings, numbers, booleans, pointers,
// slices, arrays and structs of exported fields) to dst, its strings as symbols.
// A nil slice and an empty one are told apart, as are a nil pointer and a pointer to
// zero, so that unpack gives back a value equal to v under reflect.DeepEqual.
func pack(dst []byte, y *symbols, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return binary.AppendUvarint(dst, uint64(y.id(v.String())))
	case reflect.Bool:
		if v.Bool() {
			return append(dst, 1)
		}
		return append(dst, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(dst, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return binary.AppendUvarint(dst, v.Uint())
	case reflect.Float32, reflect.Float64:
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.Float()))
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, 0)
		}
		return pack(append(dst, 1), y, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return append(dst, 0)
		}
		dst = binary.AppendUvarint(dst, uint64(v.Len())+1)
		for i := range v.Len() {
			dst = pack(dst, y, v.Index(i))
		}
		return dst
	case reflect.Array:
		for i := range v.Len() {
			dst = pack(dst, y, v.Index(i))
		}
		return dst
	case reflect.Struct:
		for i := range v.NumField() {
			dst = pack(dst, y, v.Field(i))
		}
		return dst
	}
	panic(fmt.Sprintf("backpack: cannot pack a %s", v.Type())) // the store's own types only: a test packs each
}

// unpacker reads values that pack wrote.
type unpacker struct {
	y   *symbols
	b   []byte
	err error
}

var errPacked = errors.New("backpack: a packed record is damaged")

func (u *unpacker) uvarint() uint64 {
	x, n := binary.Uvarint(u.b)
	if n <= 0 {
		u.err, u.b = errPacked, nil
		return 0
	}
	u.b = u.b[n:]
	return x
}

func (u *unpacker) byte() byte {
	if len(u.b) == 0 {
		u.err = errPacked
		return 0
	}
	c := u.b[0]
	u.b = u.b[1:]
	return c
}

// unpack sets v, which must be settable, from the packed bytes.
func (u *unpacker) unpack(v reflect.Value) {
	if u.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.String:
		id := u.uvarint()
		if id >= uint64(len(u.y.strs)) {
			u.err = errPacked
			return
		}
		v.SetString(u.y.strs[id])
	case reflect.Bool:
		v.SetBool(u.byte() == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, n := binary.Varint(u.b)
		if n <= 0 {
			u.err = errPacked
			return
		}
		u.b = u.b[n:]
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(u.uvarint())
	case reflect.Float32, reflect.Float64:
		if len(u.b) < 8 {
			u.err = errPacked
			return
		}
		v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(u.b)))
		u.b = u.b[8:]
	case reflect.Pointer:
		if u.byte() == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		u.unpack(p.Elem())
		v.Set(p)
	case reflect.Slice:
		n := u.uvarint()
		if n == 0 {
			return
		}
		if n-1 > uint64(len(u.b)) { // every element takes a byte at least
			u.err = errPacked
			return
		}
		s := reflect.MakeSlice(v.Type(), int(n-1), int(n-1))
		for i := range s.Len() {
			u.unpack(s.Index(i))
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			u.unpack(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			u.unpack(v.Field(i))
		}
	default:
		u.err = fmt.Errorf("backpack: cannot unpack a %s", v.Type())
	}
}

// packValue packs *x into the arena.
func packValue[T any](a *arena, y *symbols, buf []byte, x *T) (span, []byte) {
	buf = pack(buf[:0], y, reflect.ValueOf(x).Elem())
	return a.put(buf), buf
}

// ownCopy replaces *x with a copy of its own, as the store keeps structs it does not
// pack (staff, credentials, teaching assignments): slices and pointers new, strings the
// symbol table's. buf is scratch, returned for reuse.
func ownCopy[T any](y *symbols, buf []byte, x *T) []byte {
	buf = pack(buf[:0], y, reflect.ValueOf(x).Elem())
	var fresh T
	u := unpacker{y: y, b: buf}
	u.unpack(reflect.ValueOf(&fresh).Elem())
	if u.err != nil {
		panic(u.err) // just packed: not reached
	}
	*x = fresh
	return buf
}

// unpackValue decodes the value at sp into *x.
func unpackValue[T any](a *arena, y *symbols, sp span, x *T) error {
	u := unpacker{y: y, b: a.get(sp)}
	u.unpack(reflect.ValueOf(x).Elem())
	if u.err == nil && len(u.b) != 0 {
		u.err = errPacked
	}
	return u.err
}
