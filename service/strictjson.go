package service

// The identity endpoints' bodies are read as enrollment reads a posted resource
// (backpack's decodeResource): a key given twice in one object, or twice in different
// cases, is refused, since encoding/json would silently keep the last of them
// ({"firstName":"Ann","FIRSTNAME":"Bob"} would make Bob).

import (
	"errors"
	"fmt"

	"github.com/studentlink/studentlink/internal/strictjson"
)

// unmarshalStrict decodes a request's body as unmarshalBody does, and refuses it when an
// object of it repeats a key, exactly or in another case, with backpack's words ("key
// %q appears twice", "key %q repeats key %q in another case").
func unmarshalStrict(body []byte, v any) error {
	if err := unmarshalBody(body, v); err != nil {
		return err
	}
	if err := repeatedKey(body); err != nil {
		return fmt.Errorf("the request body %v", err)
	}
	return nil
}

// repeatedKey reports the first key of a JSON value (already known to decode) that
// repeats another of its object, compared as encoding/json compares them: case folded,
// so that "firstName", "FIRSTNAME" and "firstName" with a Kelvin sign for a K meet. The
// error says where: the element of a top-level array it is in, if any.
func repeatedKey(data []byte) error {
	err := strictjson.Check(data, strictjson.Rules{})
	var ke *strictjson.KeyError
	if !errors.As(err, &ke) {
		return nil // decoded already: only repeated keys are news
	}
	if ke.Element >= 0 {
		return fmt.Errorf("%v (request %d)", ke, ke.Element)
	}
	return ke
}
