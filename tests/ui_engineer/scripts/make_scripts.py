#!/usr/bin/env python3
"""Writes tests/ui_engineer/scripts/{1080x1920,1920x1080,800x1280}.txt: the taps of the
engineer journeys, at coordinates computed the way engineer_pin.c and engineer_diag.c
lay out (pin_keys() and diag_keys() below mirror their layout(): change both together).
Run from anywhere; restart.txt, killed.txt and export.txt are written by hand."""
import os
import sys
def mk(w,h):
    ss=min(w,h); ls=max(w,h); sc=min(ss/1080, ls/1920)
    px=lambda b:int(b*sc+0.5)
    return px
def pin_keys(w,h):
    px=mk(w,h); land=w>h
    hh=px(150); pad=px(60); gap=px(24)
    by=hh; bh=h-hh
    body=(pad,by+px(40),w-2*pad,bh-px(40)-pad)
    if land:
        lw=(body[2]-px(80))*45//100
        right=(body[0]+lw+px(80),body[1],body[2]-lw-px(80),body[3])
    else:
        lh=body[3]*34//100
        right=(body[0]+px(60),body[1]+lh,body[2]-px(120),body[3]-lh)
    kw=(right[2]-2*gap)//3; kh=(right[3]-4*gap)//5
    kh=min(kh,px(170))
    top=right[1]+(right[3]-5*kh-4*gap)//2
    if not land: top=right[1]
    keys={}
    for i in range(12):
        x=right[0]+(i%3)*(kw+gap)+kw//2; y=top+(i//3)*(kh+gap)+kh//2
        name=str(i+1) if i<9 else ('clear' if i==9 else ('0' if i==10 else 'erase'))
        keys[name]=(x,y)
    bw=(right[2]-gap)//2; y=top+4*(kh+gap)+kh//2
    keys['exit']=(right[0]+bw//2,y); keys['enter']=(right[0]+bw+gap+(right[2]-bw-gap)//2,y)
    return keys
def diag_keys(w,h):
    px=mk(w,h); land=w>h
    pad=px(40);gap=px(16);th=px(120);bh=px(130)
    y=px(150)+px(24)
    keys={'exit':(w-pad-px(260)//2, y+px(110)//2)}
    y+=px(110)+px(24)
    names=['status','network','printer','touch','screen','logs']
    bottom=h-pad
    if land:
        tw=px(300); th=min((bottom-y-5*gap)//6, px(130))
        for i,n in enumerate(names): keys[n]=(pad+tw//2, y+i*(th+gap)+th//2)
        ax=pad+tw+px(32); aw=w-2*pad-tw-px(32); ay=y; ah=bottom-y
        keys['action']=(ax+aw-px(620)//2, ay+ah-bh//2)
        keys['content']=(ax,ay,ax+aw,ay+ah-bh-px(20))
    else:
        tw=(w-2*pad-5*gap)//6
        for i,n in enumerate(names): keys[n]=(pad+i*(tw+gap)+tw//2,y+th//2)
        ay=y+th+px(24)
        keys['action']=(w//2, bottom-bh//2)
        lh2=int(int(34*min(min(w,h)/1080,max(w,h)/1920)+0.5)*1.3)*2
        keys['content']=(pad,ay,w-pad,bottom-bh-px(20)-lh2-px(16))
    return keys

def gesture(w,h):
    c=min(w,h)//8
    L=["# the hidden gesture: hold the top-left corner 3 s, then 3 taps bottom-right",
       f"down {c//3} {c//3}", "wait 3200", f"up {c//3} {c//3}"]
    for i in range(3): L+= [f"tap {w-c//3} {h-c//3}", "wait 100"]
    L+=["wait 400"]
    return L
def pin(p,digits):
    L=[]
    for d in digits: L+=[f"tap {p[d][0]} {p[d][1]}","wait 80"]
    L+=[f"tap {p['enter'][0]} {p['enter'][1]}","wait 400"]
    return L
def script(size, full):
    w,h=map(int,size.split('x'))
    w_,h_=map(int,size.split('x'))
    p,d=pin_keys(w_,h_),diag_keys(w_,h_)
    lang=(w-60, 75*min(w,h)//1080)
    L=[f"# Engineer mode (issue 9.5), {size}: the PIN pad and each diagnostics tab.",
       "# Coordinates from the layouts of app/ui/screens/engineer_pin.c and engineer_diag.c.",
       "clock 2026-11-26T10:30","wait 300"]
    L+=gesture(w,h)
    L+=["expect-screen engineer_pin","screenshot pin_empty_zh"]
    L+=pin(p,"1234")+["expect-screen engineer_pin","screenshot pin_wrong_zh"]
    L+=pin(p,"135790")+["expect-screen engineer","screenshot diag_status_zh"]
    tabs=['network','printer','touch','screen','logs'] if full else ['network','touch','screen','logs']
    for t in tabs:
        L+=[f"tap {d[t][0]} {d[t][1]}","wait 400"]
        if t=='touch':
            x0,y0,x1,y1=d['content']
            L+=[f"down {x0+30} {y0+30}"]
            for k in range(1,12): L+=[f"move {x0+30+k*(x1-x0-60)//11} {y0+30+k*(y1-y0-60)//11}"]
            L+=[f"up {x1-30} {y1-30}", f"tap {(x0+x1)//2} {y0+40}", "wait 300"]
        if t=='logs':
            L+=[f"tap {d['action'][0]} {d['action'][1]}","wait 300"]
        L+=[f"screenshot diag_{t}_zh"]
        if t=='printer':
            L+=["# the test slip: printed to the file printer, its state shown",
                f"tap {d['action'][0]} {d['action'][1]}","wait 200","print-wait","wait 300",
                "screenshot diag_printer_test_zh"]
        if t=='network' and full:
            large=(660*w//1080, 75*min(w,h)//1080)
            L+=["# large text", "tap %d %d"%large, "wait 400", "screenshot diag_network_zh_large",
                f"tap {d['status'][0]} {d['status'][1]}","wait 400","screenshot diag_status_zh_large",
                f"tap {d['network'][0]} {d['network'][1]}","wait 400","tap %d %d"%large,"wait 400"]
    if full:
        L+=["# English", f"tap {lang[0]} {lang[1]}", "wait 400", f"tap {d['status'][0]} {d['status'][1]}","wait 400","screenshot diag_status_en"]
        for t in ['network','printer','logs']:
            L+=[f"tap {d[t][0]} {d[t][1]}","wait 400"]
            if t=='logs': L+=[f"tap {d['action'][0]} {d['action'][1]}","wait 300"]
            L+=[f"screenshot diag_{t}_en"]
    if not full:
        L+=["# English", f"tap {lang[0]} {lang[1]}", "wait 400", f"tap {d['status'][0]} {d['status'][1]}","wait 400",
            "screenshot diag_status_en", f"tap {d['printer'][0]} {d['printer'][1]}","wait 400","screenshot diag_printer_en",
            f"tap {lang[0]} {lang[1]}", "wait 400"]
    if full:
        L+=["# Exit: the attract screen, nothing of the engineer mode left",
            f"tap {d['exit'][0]} {d['exit'][1]}","wait 400","expect-screen attract","screenshot attract_after_exit"]
    else:
        L+=["# 3 minutes without a touch: the attract screen, nothing of the engineer mode left",
            "wait 179000","expect-screen engineer","wait 2000","expect-screen attract","screenshot attract_after_idle"]
    L+=gesture(w,h)+["expect-screen engineer_pin"]
    n=5
    if full:
        L+=["tap %d %d"%lang,"wait 400","screenshot pin_empty_en"]
        L+=pin(p,"1111")+["screenshot pin_wrong_en","tap %d %d"%lang,"wait 400"]
        n=4
    L+=["# five wrong PINs in a row lock the pad for 5 minutes"]
    for i in range(n): L+=pin(p,"2468")
    L+=["expect-screen engineer_pin","screenshot pin_locked_zh","wait 61000","screenshot pin_locked_later_zh"]
    if full:
        L+=["tap %d %d"%lang,"wait 400","screenshot pin_locked_en"]
    L+=[f"tap {p['exit'][0]} {p['exit'][1]}","wait 400","expect-screen attract"]
    return "\n".join(L)+"\n"
for s,f in (('1080x1920',True),('1920x1080',False),('800x1280',False)):
    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f'{s}.txt'),'w').write(script(s,f))
