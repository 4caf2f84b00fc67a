/* First-touch cost of fresh anonymous memory, 4 KiB against 2 MiB (transparent huge) pages: gcc -O2 -o /tmp/first_touch bench/first_touch.c; /tmp/first_touch MB HUGE(0|1). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){ long mb=atol(argv[1]); int huge=atoi(argv[2]); size_t n=mb<<20;
 char*p=mmap(0,n+(2<<20),PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
 p=(char*)(((unsigned long)p+(2<<20)-1)&~((2UL<<20)-1));
 if(huge) madvise(p,n,MADV_HUGEPAGE); else madvise(p,n,MADV_NOHUGEPAGE);
 double t=now(); for(size_t i=0;i<n;i+=4096)p[i]=1; double t1=now()-t;
 t=now(); for(size_t i=0;i<n;i+=4096)p[i]=2; double t2=now()-t;
 printf("%ld MB huge=%d first touch %.3f s = %.3f ms/MB; second %.4f s\n",mb,huge,t1,t1*1e3/mb,t2); return 0;}
