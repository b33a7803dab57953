//! `lnn`: the native command line of lnn-web.
mod args;
mod bench;
mod simulate;

use std::process::ExitCode;

use args::Args;

const USAGE: &str = "\
lnn — Lagrangian Neural Networks, native

USAGE:
  lnn simulate [--system NAME] [--t T] [--dt DT] [--integrator euler|rk4|dopri5]
               [--substeps N] [--tol TOL] [--init q..,qdot..,c..] [--grid N]
               [--closed-form] [--format json|csv]
      Roll out a true system; prints time, state and energy at every dt.
      Defaults: double-pendulum, t 10, dt 0.01, rk4 with 10 substeps, dopri5 tol 1e-9.
  lnn bench [--seconds S] [--json]
      Accelerations per second: the Taylor-mode engine against the closed form.
  lnn --version | --help

SYSTEMS:
";

fn usage() -> String {
    let mut s = USAGE.to_string();
    for (name, about) in lnn_core::systems::CATALOGUE {
        s += &format!("  {name:<18} {about}\n");
    }
    s
}

fn run(argv: &[String]) -> Result<String, String> {
    let Some(cmd) = argv.first() else {
        return Err(format!("no command given\n\n{}", usage()));
    };
    let rest = &argv[1..];
    match cmd.as_str() {
        "-h" | "--help" | "help" => Ok(usage()),
        "-V" | "--version" => Ok(format!("lnn {}\n", lnn_core::VERSION)),
        "simulate" => simulate::run(&Args::parse(rest, &["closed-form"])?),
        "bench" => bench::run(&Args::parse(rest, &["json"])?),
        other => Err(format!("unknown command `{other}`; see `lnn --help`")),
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(out) => {
            print!("{out}");
            if !out.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
