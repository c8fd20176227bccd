package vault

import (
	"container/list"
	"crypto/cipher"
	"sync"
	"time"
)

// Cache bounds. Unwrapped data keys stay in memory so the case page, which
// opens dozens of fields under one key, reads data_keys once, not per field.
// The TTL bounds how long a key shredded by another node keeps working here:
// at most cacheTTL after that node commits (the node that shreds drops its
// own copy at once).
const (
	cacheSize = 10_000
	cacheTTL  = time.Minute
)

// keyCache is a bounded LRU of ready AEADs keyed by data key id. It holds the
// AES key schedule rather than the raw key, so a hit costs no key expansion.
type keyCache struct {
	mu    sync.Mutex
	ll    *list.List
	items map[string]*list.Element
	now   func() time.Time
}

type cacheEntry struct {
	id      string
	aead    cipher.AEAD
	expires time.Time
}

func newKeyCache() *keyCache {
	return &keyCache{ll: list.New(), items: map[string]*list.Element{}, now: time.Now}
}

func (c *keyCache) get(id string) cipher.AEAD {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.items[id]
	if el == nil {
		return nil
	}
	e := el.Value.(*cacheEntry)
	if c.now().After(e.expires) {
		c.ll.Remove(el)
		delete(c.items, id)
		return nil
	}
	c.ll.MoveToFront(el)
	return e.aead
}

func (c *keyCache) put(id string, aead cipher.AEAD) {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp := c.now().Add(cacheTTL)
	if el := c.items[id]; el != nil {
		e := el.Value.(*cacheEntry)
		e.aead, e.expires = aead, exp
		c.ll.MoveToFront(el)
		return
	}
	c.items[id] = c.ll.PushFront(&cacheEntry{id: id, aead: aead, expires: exp})
	for c.ll.Len() > cacheSize {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).id)
	}
}

func (c *keyCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.items[id]; el != nil {
		c.ll.Remove(el)
		delete(c.items, id)
	}
}
