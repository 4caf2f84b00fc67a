/* First touch of fresh 4 KiB pages by T threads, each memsetting a contiguous share: gcc -O2 -pthread -o /tmp/ft2 bench/first_touch_threads.c; /tmp/ft2 MB T. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
typedef struct {char*p; size_t n;} job;
void* w(void*a){job*j=a; memset(j->p,0,j->n); return 0;}
int main(int argc,char**argv){ long mb=atol(argv[1]); int th=atoi(argv[2]); size_t n=mb<<20;
 char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0); madvise(p,n,MADV_NOHUGEPAGE);
 double t=now(); pthread_t ts[8]; job js[8];
 for(int i=0;i<th;i++){js[i].p=p+n/th*i; js[i].n=n/th; pthread_create(&ts[i],0,w,&js[i]);}
 for(int i=0;i<th;i++) pthread_join(ts[i],0);
 double t1=now()-t; printf("%ld MB threads=%d %.3f s = %.3f ms/MB\n",mb,th,t1,t1*1e3/mb); return 0;}
