package tenancy

import (
	"crypto/sha256"
	"sync"

	"bellwork.dev/bellwork/pkg/directory"
)

// entryCache remembers the entries a source decoded in its last listing,
// by the SHA-256 of their bytes. Every source hands the registry full
// listings (each change event of the Secret informer, each changed poll of
// the folder); with 10,000 districts, decoding and re-encoding every entry
// for each changed one took seconds. An unchanged Secret or file now
// yields the same *directory.Entry as before, which Replace recognises
// without encoding it again. Entries are never modified once decoded.
type entryCache struct {
	mu   sync.Mutex
	prev map[[sha256.Size]byte]*directory.Entry
	cur  map[[sha256.Size]byte]*directory.Entry
}

// listing decodes one full listing: decode is called for each item's bytes,
// reusing the previous listing's entry for bytes seen there.
func (c *entryCache) listing(each func(decode func([]byte) (*directory.Entry, error))) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur = make(map[[sha256.Size]byte]*directory.Entry, len(c.prev))
	each(func(data []byte) (*directory.Entry, error) {
		sum := sha256.Sum256(data)
		if e, ok := c.prev[sum]; ok {
			c.cur[sum] = e
			return e, nil
		}
		e, err := directory.Unmarshal(data)
		if err != nil {
			return nil, err
		}
		c.cur[sum] = e
		return e, nil
	})
	c.prev, c.cur = c.cur, nil
}
