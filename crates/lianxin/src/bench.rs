pub async fn run(_url: &str, _n: usize) -> anyhow::Result<()> {
    anyhow::bail!("bench: see below")
}
