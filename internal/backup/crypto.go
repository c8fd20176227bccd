package backup

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
)

func gcm(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // only for a key that is not 32 bytes: a bug
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return g
}

func randRead(b []byte) { rand.Read(b) }
