package backpack

import "reflect"

// interner makes the strings of the staff, credentials and teaching assignments a store
// keeps as structs share one copy per distinct value, and gives the store copies of its
// own (student records and their facts are packed instead, see packed.go).
type interner map[string]string

// own rewrites *x, a copy the store keeps, so that its strings are interned and its
// slices are the store's own (cloned, so that the caller's submission is never written
// to). Values behind pointers (a score's *float64) are shared as they are.
func (in interner) own(x any) {
	in.walk(reflect.ValueOf(x).Elem())
}

func (in interner) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if c, ok := in[s]; ok {
			v.SetString(c)
		} else {
			in[s] = s
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				in.walk(f)
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			in.walk(v.Index(i))
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := range c.Len() {
			in.walk(c.Index(i))
		}
	}
}
