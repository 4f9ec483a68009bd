package block

// sumTable sums values by uint32 key: open addressing in a power-of-two array with linear
// probing, at most half full. used lists the slots taken, in the order they were taken,
// so that reset clears only those and each visits the keys in the order they came. A
// Go map did the same work at two to three times the cost, in a query's score sums and
// in the gram counts of a roll.
type sumTable[V int32 | float32] struct {
	keys []uint32 // freeKey in a free slot
	sums []V
	used []int32
	// The key freeKey itself, which cannot have a slot.
	freeSum  V
	freeUsed bool
}

// freeKey marks a free slot.
const freeKey = ^uint32(0)

// reset empties the table.
func (t *sumTable[V]) reset() {
	for _, slot := range t.used {
		t.keys[slot] = freeKey
	}
	t.used = t.used[:0]
	t.freeSum, t.freeUsed = 0, false
}

// len returns the number of keys.
func (t *sumTable[V]) len() int {
	if t.freeUsed {
		return len(t.used) + 1
	}
	return len(t.used)
}

// add adds v to key k's sum.
func (t *sumTable[V]) add(k uint32, v V) {
	if k == freeKey {
		t.freeSum += v
		t.freeUsed = true
		return
	}
	if 2*(len(t.used)+1) > len(t.keys) {
		t.grow()
	}
	mask := uint32(len(t.keys) - 1)
	for slot := (k * 0x9E3779B1) & mask; ; slot = (slot + 1) & mask {
		switch t.keys[slot] {
		case k:
			t.sums[slot] += v
			return
		case freeKey:
			t.keys[slot], t.sums[slot] = k, v
			t.used = append(t.used, int32(slot))
			return
		}
	}
}

// get returns key k's sum and whether k was added.
func (t *sumTable[V]) get(k uint32) (V, bool) {
	if k == freeKey {
		return t.freeSum, t.freeUsed
	}
	if len(t.keys) == 0 {
		return 0, false
	}
	mask := uint32(len(t.keys) - 1)
	for slot := (k * 0x9E3779B1) & mask; ; slot = (slot + 1) & mask {
		switch t.keys[slot] {
		case k:
			return t.sums[slot], true
		case freeKey:
			return 0, false
		}
	}
}

// each calls f with every key and its sum, in the order the keys were first added
// (freeKey, which has no slot, last).
func (t *sumTable[V]) each(f func(k uint32, sum V)) {
	for _, slot := range t.used {
		f(t.keys[slot], t.sums[slot])
	}
	if t.freeUsed {
		f(freeKey, t.freeSum)
	}
}

// reserve makes room for n keys in an empty table, so that adding them does not grow it
// step by step (a roll's gram counts pass a million keys a worker). It does nothing to a
// table that holds keys or has the room already.
func (t *sumTable[V]) reserve(n int) {
	size := 1024
	for size < 2*n {
		size *= 2
	}
	if len(t.used) > 0 || t.freeUsed || size <= len(t.keys) {
		return
	}
	t.empty(size)
}

// empty gives the table size free slots, of which it fills at most half.
func (t *sumTable[V]) empty(size int) {
	t.keys, t.sums, t.used = make([]uint32, size), make([]V, size), make([]int32, 0, size/2)
	for k := range t.keys {
		t.keys[k] = freeKey
	}
}

// grow doubles the table (to 1,024 slots at first) and places its keys again, in the
// order they came.
func (t *sumTable[V]) grow() {
	keys, sums, used := t.keys, t.sums, t.used
	t.empty(max(1024, 2*len(keys)))
	for _, slot := range used {
		t.add(keys[slot], sums[slot])
	}
}
