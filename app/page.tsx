export default function Home() {
  return <main>Pairwise</main>;
}
