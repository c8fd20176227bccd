// Command portalload measures how many public portal pages a running Ura
// serves per second: c connections with keep-alive request the given paths
// in turn for a while and report requests per second, the status codes and
// latency percentiles. Loopback addresses only.
//
//	go run ./bench/portalload -url http://127.0.0.1:18090 -c 32 -d 20s
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "the instance (loopback only)")
	conns := flag.Int("c", 32, "concurrent connections")
	dur := flag.Duration("d", 20*time.Second, "how long to run")
	paths := flag.String("paths", "/help/?lang=en,/help/recognise?lang=sq,/help/rights?lang=ar,/help/services?lang=fa,/help/check?lang=ro,/help/tip?lang=tr,/help/safety?lang=sr-Cyrl",
		"comma-separated paths, requested in turn")
	etag := flag.Bool("etag", false, "revalidate with If-None-Match (answers 304)")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil {
		fail(err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fail(fmt.Errorf("%s is not a loopback address", u.Hostname()))
	}
	list := strings.Split(*paths, ",")
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr}
	var total, bytes atomic.Int64
	var mu sync.Mutex
	codes := map[int]int{}
	var lat []time.Duration
	stop := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Go(func() {
			etags := map[string]string{}
			var mine []time.Duration
			mycodes := map[int]int{}
			for i := w; time.Now().Before(stop); i++ {
				p := list[i%len(list)]
				req, _ := http.NewRequest("GET", *base+p, nil)
				if e := etags[p]; *etag && e != "" {
					req.Header.Set("If-None-Match", e)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					mycodes[0]++
					continue
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				mycodes[resp.StatusCode]++
				etags[p] = resp.Header.Get("ETag")
				bytes.Add(n)
				total.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range mycodes {
				codes[k] += v
			}
			mu.Unlock()
		})
	}
	start := time.Now()
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("requests %d in %.1fs: %.0f/s, %.1f KB average, statuses %v\n", total.Load(), el.Seconds(),
		float64(total.Load())/el.Seconds(), float64(bytes.Load())/float64(max(1, total.Load()))/1024, codes)
	fmt.Printf("latency p50 %v p90 %v p99 %v max %v\n", pct(.5), pct(.9), pct(.99), pct(1))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "portalload:", err)
	os.Exit(1)
}
