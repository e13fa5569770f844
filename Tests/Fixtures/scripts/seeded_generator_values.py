"""Reference values for SamplerTests: the raw SplitMix64 stream and BoundaryProbe(vocabSize: 50) sequences (MMIX LCG).

Independent plain-Python implementations; run with any python3.
"""
M=(1<<64)-1
def splitmix(seed,n):
    s=seed; out=[]
    for _ in range(n):
        s=(s+0x9E3779B97F4A7C15)&M
        z=s
        z=((z^(z>>30))*0xBF58476D1CE4E5B9)&M
        z=((z^(z>>27))*0x94D049BB133111EB)&M
        out.append(z^(z>>31))
    return out
print("splitmix seed 0:", splitmix(0,3))
print("splitmix seed 11:", splitmix(11,3))
def probe(vocab, seed=7):
    s=(seed+0x9E3779B97F4A7C15)&M
    res=[]
    for L in [9,14,6,11]:
        row=[]
        for _ in range(L):
            s=(s*6364136223846793005+1442695040888963407)&M
            row.append(1+((s>>17)%(vocab-1)))
        res.append(row)
    return res
print("probe 50:", probe(50))
