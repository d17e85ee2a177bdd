package paykit

import (
	"encoding/binary"
	"errors"
	"net/http"
	"time"
)

// The in-memory journal keeps each delivery encoded in one byte slice: the
// garbage collector never scans the inside of a byte slice, while a
// Delivery holds some thirty pointers (strings, bodies, a header map). With
// thousands kept, scanning them cost a handler more than the rest of its
// work; encoded, a kept delivery costs one allocation and no scanning.

// encodeDelivery appends d (but its Notification) to b.
func encodeDelivery(b []byte, d *Delivery) []byte {
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	byt := func(s []byte) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	num := func(n int64) { b = binary.AppendVarint(b, n) }
	flag := func(v bool) {
		if v {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	str(d.ID)
	str(d.RunOf)
	flag(d.Reconciled)
	str(string(d.Provider))
	str(d.Account)
	num(d.ReceivedAt.UnixNano())
	num(int64(d.Duration))
	str(d.RemoteAddr)
	str(d.Method)
	str(d.Path)
	str(d.Query)
	b = binary.AppendUvarint(b, uint64(len(d.Header)))
	for k, vs := range d.Header {
		str(k)
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			str(v)
		}
	}
	flag(d.Body != nil)
	byt(d.Body)
	str(string(d.Verification))
	str(d.Type)
	s := &d.Summary
	str(string(s.Provider))
	str(s.Type)
	str(string(s.Kind))
	str(string(s.Status))
	str(s.ID)
	str(s.OrderID)
	str(s.UserID)
	num(s.Amount.Amount)
	str(s.Amount.Currency)
	flag(s.Test)
	str(string(d.Outcome))
	str(d.Error)
	num(int64(d.ReplyStatus))
	str(d.ReplyContentType)
	flag(d.ReplyBody != nil)
	byt(d.ReplyBody)
	str(d.Key)
	flag(d.Replayed)
	return b
}

var errCorrupt = errors.New("paykit: corrupt journal record")

// decodeDelivery is the inverse of encodeDelivery. The bytes are always
// the journal's own; a short or bad record is an error, never a panic.
func decodeDelivery(b []byte) (Delivery, error) {
	var d Delivery
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	raw := func() []byte {
		n := uv()
		if bad || n > uint64(len(b)) {
			bad = true
			return nil
		}
		s := b[:n:n]
		b = b[n:]
		return s
	}
	str := func() string { return string(raw()) }
	byt := func(present bool) []byte {
		s := raw()
		if !present {
			return nil
		}
		return append(make([]byte, 0, len(s)), s...)
	}
	num := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	flag := func() bool {
		if len(b) == 0 {
			bad = true
			return false
		}
		v := b[0] == 1
		b = b[1:]
		return v
	}
	d.ID = str()
	d.RunOf = str()
	d.Reconciled = flag()
	d.Provider = Provider(str())
	d.Account = str()
	d.ReceivedAt = time.Unix(0, num())
	d.Duration = time.Duration(num())
	d.RemoteAddr = str()
	d.Method = str()
	d.Path = str()
	d.Query = str()
	if nh := uv(); nh > 0 && !bad && nh <= uint64(len(b)) {
		d.Header = make(http.Header, nh)
		for range nh {
			k := str()
			nv := uv()
			if bad || nv > uint64(len(b)) {
				bad = true
				break
			}
			vs := make([]string, nv)
			for i := range vs {
				vs[i] = str()
			}
			d.Header[k] = vs
		}
	}
	d.Body = byt(flag())
	d.Verification = Verification(str())
	d.Type = str()
	d.Summary.Provider = Provider(str())
	d.Summary.Type = str()
	d.Summary.Kind = Kind(str())
	d.Summary.Status = Status(str())
	d.Summary.ID = str()
	d.Summary.OrderID = str()
	d.Summary.UserID = str()
	d.Summary.Amount.Amount = num()
	d.Summary.Amount.Currency = str()
	d.Summary.Test = flag()
	d.Outcome = Outcome(str())
	d.Error = str()
	d.ReplyStatus = int(num())
	d.ReplyContentType = str()
	d.ReplyBody = byt(flag())
	d.Key = str()
	d.Replayed = flag()
	if bad || len(b) != 0 {
		return Delivery{}, errCorrupt
	}
	return d, nil
}
