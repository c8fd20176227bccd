package main

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// TestGracefulShutdownFinishesRequests starts a request, asks the server to
// stop while the request body is still arriving, and checks the request is
// answered before the server exits.
func TestGracefulShutdownFinishesRequests(t *testing.T) {
	_, _, sargs := storeArgs(t, store.SQLite)
	in := serve(t, sargs)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", in.URL+"/signin", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = int64(len("email=a%40example.invalid&password=not-the-password"))
	answered := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- -1
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	io.WriteString(pw, "email=a%40example.invalid&")
	time.Sleep(200 * time.Millisecond) // the server is now reading the body
	stopped := make(chan struct{})
	go func() { in.Stop(t); close(stopped) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("the server stopped with a request in flight")
	default:
	}
	io.WriteString(pw, "password=not-the-password")
	pw.Close()
	select {
	case code := <-answered:
		if code != http.StatusUnauthorized {
			t.Errorf("in-flight request answered %d, want 401 (wrong password)", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the in-flight request was not answered")
	}
	select {
	case <-stopped:
	case <-time.After(25 * time.Second):
		t.Fatal("the server did not stop after the last request")
	}
}
